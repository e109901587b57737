// Query and response schemas of the analytics endpoints. Range rules (valid IANA zone, from before
// to, at most MAX_RANGE_DAYS) are checked here, so a bad request is a 400 before any query runs.
import Joi from 'joi';
import { MAX_RANGE_DAYS, type RangeQuery, type SalesQuery } from '../services/analytics/analytics.service';
import { isTimeZone, parseBoundary } from '../services/analytics/time';

// Not .isoDate(): joi would rewrite a plain date to a UTC instant, and a plain date means local midnight.
const boundary = Joi.string()
  .max(40)
  .pattern(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/)
  .custom((value: string, helpers) => (Number.isNaN(Date.parse(value)) ? helpers.error('any.invalid') : value))
  .messages({ 'string.pattern.base': '{{#label}} must be a date (YYYY-MM-DD) or an ISO 8601 instant with a zone', 'any.invalid': '{{#label}} is not a valid date' })
  // The pattern admits 2026-13-45; the document says what the custom check adds: a real date or instant.
  .meta({ openapi: { anyOf: [{ type: 'string', format: 'date' }, { type: 'string', format: 'date-time' }] } })
  .description('A date (`2026-03-01`, local midnight in `tz`) or an ISO instant; cut to whole UTC hours. Default: to = now, from = to − 30 days.');

const tz = Joi.string()
  .max(64)
  .default('UTC')
  .custom((value: string, helpers) => (isTimeZone(value) ? value : helpers.error('any.invalid')))
  .messages({ 'any.invalid': '"tz" must be an IANA time zone such as Europe/Berlin' })
  // No JSON Schema form short of a runtime-dependent enum: a named format (the zones Intl knows).
  .meta({ openapi: { format: 'iana-time-zone' } })
  .description('IANA time zone the buckets start in. Whole-hour offsets are exact; in half-hour zones (Asia/Kolkata) a bucket boundary falls on the UTC hour nearest before local midnight, so up to 30 minutes of sales land in the neighbouring bucket.');

const DAY_MS = 86_400_000;

/** from < to and the range at most MAX_RANGE_DAYS, both read in `tz`. */
function checkRange(value: { from?: string; to?: string; tz: string }, helpers: Joi.CustomHelpers) {
  const to = value.to ? parseBoundary(value.to, value.tz) : new Date();
  const from = value.from ? parseBoundary(value.from, value.tz) : new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() >= to.getTime()) return helpers.error('range.order');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) return helpers.error('range.length');
  return value;
}

const rangeMessages = {
  'range.order': '"from" must be before "to"',
  'range.length': `the range may span at most ${MAX_RANGE_DAYS} days`,
};

export const salesQuery = Joi.object<SalesQuery>({
  from: boundary,
  to: boundary,
  interval: Joi.string().valid('day', 'week', 'month').default('day').description('Bucket size; weeks start on Monday'),
  tz,
})
  .custom(checkRange)
  .messages(rangeMessages);

export const topQuery = Joi.object<RangeQuery>({ from: boundary, to: boundary, tz, limit: Joi.number().integer().min(1).max(100).default(10) })
  .custom(checkRange)
  .messages(rangeMessages);

export const lowStockQuery = Joi.object<{ threshold: number; limit: number }>({
  threshold: Joi.number().integer().min(1).max(1_000_000).default(5).description('Variants with stock strictly below this'),
  limit: Joi.number().integer().min(1).max(200).default(50),
});

const totals = Joi.object({
  orders: Joi.number().integer().required(),
  units: Joi.number().integer().required(),
  grossRevenue: Joi.number().required(),
  refunds: Joi.number().required(),
  netRevenue: Joi.number().required(),
  averageOrderValue: Joi.number().required(),
  newCustomers: Joi.number().integer().required(),
});

const pct = Joi.number().allow(null).required();

export const salesResponse = Joi.object({
  from: Joi.string().isoDate().required(),
  to: Joi.string().isoDate().required(),
  interval: Joi.string().valid('day', 'week', 'month').required(),
  timezone: Joi.string().required(),
  series: Joi.array()
    .items(totals.keys({ period: Joi.string().required().description('Local date the bucket starts on'), start: Joi.string().isoDate().required() }))
    .required(),
  totals: totals.required(),
  previous: Joi.object({ from: Joi.string().isoDate().required(), to: Joi.string().isoDate().required(), totals: totals.required() }).required(),
  change: Joi.object({ orders: pct, grossRevenue: pct, netRevenue: pct, averageOrderValue: pct, newCustomers: pct })
    .required()
    .description('Percent change against the previous period of equal length; null when that period had 0'),
});

const ranged = (item: Joi.ObjectSchema) => Joi.object({ from: Joi.string().isoDate().required(), to: Joi.string().isoDate().required(), items: Joi.array().items(item).required() });

export const topProductsResponse = ranged(
  Joi.object({
    productId: Joi.string().required(),
    name: Joi.string().allow(null).required(),
    category: Joi.string().allow(null).required(),
    units: Joi.number().integer().required(),
    revenue: Joi.number().required(),
  }),
);

export const topCategoriesResponse = ranged(Joi.object({ category: Joi.string().required(), units: Joi.number().integer().required(), revenue: Joi.number().required() }));

export const lowStockResponse = Joi.object({
  threshold: Joi.number().integer().required(),
  items: Joi.array()
    .items(Joi.object({ productId: Joi.string().required(), name: Joi.string().required(), sku: Joi.string().required(), stock: Joi.number().integer().required() }))
    .required(),
});
