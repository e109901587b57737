// Joi schemas for the order endpoints: what each parameter accepts and its bounds.
import Joi from 'joi';
import { ORDER_STATUSES } from '../models/Order';
import { MAX_LIMIT, MAX_PAGE } from '../services/query-engine';
import { ORDER_SORTS } from '../services/orders/query';
import { plainText } from '../utils/sanitize';
import { money } from './product.schemas';

export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 1000;
/** Stats cover at most a year per request, so the pipeline's $match stays bounded. */
export const MAX_STATS_DAYS = 366;

const objectId = (label: string) =>
  Joi.string().hex().length(24).lowercase().messages({ 'string.hex': `{{#label}} must be ${label}`, 'string.length': `{{#label}} must be ${label}` });

/** An ISO date after `key` when `key` is sent; alone it is any date (a ref to a missing key would be an error). */
const dateAfter = (key: string) =>
  Joi.when(key, {
    is: Joi.exist(),
    then: Joi.date().iso().greater(Joi.ref(key)).messages({ 'date.greater': `{{#label}} must be after ${key}` }),
    otherwise: Joi.date().iso(),
  });

/** Free text (address lines, reasons) is plain text, like product descriptions: markup is rejected, not rewritten. */
const text = (max: number) => plainText({ min: 1, max });

const shippingAddress = Joi.object({
  fullName: text(120).required(),
  line1: text(200).required(),
  line2: text(200),
  city: text(100).required(),
  region: text(100),
  postalCode: Joi.string().trim().pattern(/^[A-Za-z0-9 -]{2,20}$/).required(),
  country: Joi.string().trim().uppercase().pattern(/^[A-Z]{2}$/).required().messages({ 'string.pattern.base': 'country must be an ISO 3166 alpha-2 code' }),
  phone: Joi.string().trim().pattern(/^\+?[0-9 ()-]{5,30}$/),
});

// Prices and totals are never accepted from the client: unknown fields (total, unitPrice, …) are a 400.
export const placeBody = Joi.object({
  items: Joi.array()
    .items(Joi.object({ productId: objectId('a product id').required(), quantity: Joi.number().integer().min(1).max(MAX_LINE_QUANTITY).required() }))
    .min(1)
    .max(MAX_ORDER_LINES)
    .unique('productId')
    .required()
    .messages({ 'array.unique': 'each product may appear once; put the full quantity on one line' }),
  shippingAddress: shippingAddress.required(),
});

export const idempotencyHeaders = Joi.object({
  'idempotency-key': Joi.string().trim().min(8).max(255).pattern(/^[\x21-\x7e]+$/).messages({
    'string.pattern.base': 'Idempotency-Key must be 8–255 visible ASCII characters (a UUID is ideal)',
    'string.min': 'Idempotency-Key must be 8–255 visible ASCII characters (a UUID is ideal)',
  }),
});

export const orderIdParams = Joi.object({ id: objectId('an order id').required() });

export const ifMatchHeaders = Joi.object({ 'if-match': Joi.string().max(200) });

const reason = text(500);
const version = Joi.number().integer().min(1);

export const cancelBody = Joi.object({ reason, version });

const onlyWhenShipped = (schema: Joi.Schema) =>
  Joi.when('status', { is: 'shipped', then: schema, otherwise: Joi.forbidden().messages({ 'any.unknown': '{{#label}} is only sent with status shipped' }) });

// Shipping records the carrier and tracking number (both or neither, so staff tools that only set the
// status keep working); the payment statuses are refused by the service (the provider sets them).
export const statusBody = Joi.object({
  status: Joi.string().valid(...ORDER_STATUSES).required(),
  reason,
  version,
  carrier: onlyWhenShipped(plainText({ min: 1, max: 100 })),
  trackingNumber: onlyWhenShipped(
    Joi.string().trim().pattern(/^[A-Za-z0-9 -]{3,100}$/).messages({ 'string.pattern.base': 'trackingNumber must be 3–100 letters, digits, spaces or dashes' }),
  ),
}).and('carrier', 'trackingNumber');

export const listQuery = Joi.object({
  status: Joi.string().valid(...ORDER_STATUSES),
  account: objectId('an account id'),
  from: Joi.date().iso(),
  to: dateAfter('from'),
  minTotal: money(),
  maxTotal: Joi.when('minTotal', {
    is: Joi.exist(),
    then: money().min(Joi.ref('minTotal')).messages({ 'number.min': 'maxTotal must be greater than or equal to minTotal' }),
    otherwise: money(),
  }),
  sort: Joi.string().valid(...ORDER_SORTS),
  page: Joi.number().integer().min(1).max(MAX_PAGE),
  limit: Joi.number().integer().min(1).max(MAX_LIMIT),
  pagination: Joi.string().valid('offset', 'cursor'),
  cursor: Joi.string().max(1000).pattern(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/).messages({ 'string.pattern.base': 'cursor is malformed' }),
});

export const statsQuery = Joi.object({
  from: Joi.date().iso(),
  to: dateAfter('from'),
  top: Joi.number().integer().min(1).max(50),
});
