// Joi schemas for the order endpoints: what each parameter accepts and its bounds.
import Joi from 'joi';
import { MAX_STATS_DAYS, ORDER_STATUSES } from '../models/Order';
import { type CancelBody, type StatsQuery, type StatusBody } from '../controllers/order.controller';
import type { PlaceOrderInput } from '../services/orders/placement';
import { ORDER_SORT, type OrderListQuery } from '../services/orders/query';
import type { IdParams } from '../utils/typed-request';
import { LISTING_EXCLUSIONS, listingKeys } from './listing.schemas';
import { plainText } from '../utils/sanitize';
import { money } from './product.schemas';


export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 1000;
/** Stats cover at most a year per request, so the pipeline's $match stays bounded. */
export { MAX_STATS_DAYS };

export const objectId = (label: string) =>
  Joi.string().hex().length(24).lowercase().messages({ 'string.hex': `{{#label}} must be ${label}`, 'string.length': `{{#label}} must be ${label}` });

/** An ISO date after `key` when `key` is sent; alone it is any date (a ref to a missing key would be an error). */
const dateAfter = (key: string) =>
  Joi.when(key, {
    is: Joi.exist(),
    then: Joi.date().iso().greater(Joi.ref(key)).messages({ 'date.greater': `{{#label}} must be after ${key}` }),
    otherwise: Joi.date().iso(),
  }).description(`After ${key} when both are sent`);

/** Free text (address lines, reasons) is plain text, like product descriptions: markup is rejected, not rewritten. */
const text = (max: number) => plainText({ min: 1, max });

export const shippingAddress = Joi.object({
  fullName: text(120).required(),
  line1: text(200).required(),
  line2: text(200),
  city: text(100).required(),
  region: text(100),
  // Starts and ends with a letter or digit, so the documented pattern holds after trimming too.
  postalCode: Joi.string().trim().pattern(/^[A-Za-z0-9][A-Za-z0-9 -]{0,18}[A-Za-z0-9]$/).required(),
  country: Joi.string().trim().uppercase().pattern(/^[A-Z]{2}$/).required().messages({ 'string.pattern.base': 'country must be an ISO 3166 alpha-2 code' }),
  phone: Joi.string().trim().pattern(/^\+?[0-9(][0-9 ()-]{3,28}[0-9)]$/),
});

// Prices and totals are never accepted from the client: unknown fields (total, unitPrice, …) are a 400.
/** The address as an order returns it (what was sent, normalized; absent optional lines stay absent). */
export const shippingAddressView = shippingAddress.fork(['fullName', 'line1', 'city', 'postalCode', 'country'], (key) => key.required());

export const placeBody = Joi.object<PlaceOrderInput>({
  items: Joi.array()
    .items(
      Joi.object({
        productId: objectId('a product id').required(),
        variantId: objectId('a variant id').description('Required when the product has several variants'),
        quantity: Joi.number().integer().min(1).max(MAX_LINE_QUANTITY).required(),
      }),
    )
    .min(1)
    .max(MAX_ORDER_LINES)
    .unique((a: { productId: string; variantId?: string }, b: { productId: string; variantId?: string }) => a.productId === b.productId && a.variantId === b.variantId)
    // JSON Schema's uniqueItems compares whole items; the rule is stricter, so the document says it.
    .description('Each product variant (productId + variantId) at most once: two lines for one variant are a 400, whatever their quantities')
    .required()
    .messages({ 'array.unique': 'each product variant may appear once; put the full quantity on one line' }),
  shippingAddress: shippingAddress.required(),
});

export const orderIdParams = Joi.object<IdParams>({ id: objectId('an order id').required() });

export { idempotencyHeaders, ifMatchHeaders } from './headers.schemas';

const reason = text(500);
const version = Joi.number().integer().min(1);

export const cancelBody = Joi.object<CancelBody>({ reason, version });

// Checked after trim, so the pattern says what the document can promise: no blank at either end.
const trackingNumber = Joi.string()
  .trim()
  .pattern(/^[A-Za-z0-9-][A-Za-z0-9 -]{1,98}[A-Za-z0-9-]$/)
  .messages({ 'string.pattern.base': 'trackingNumber must be 3–100 letters, digits, spaces or dashes' });

/** Any status change by hand, with no shipment details (staff tools that only set the status). */
const plainStatusChange = Joi.object<StatusBody>({ status: Joi.string().valid(...ORDER_STATUSES).required(), reason, version });

/** Shipping with its carrier and tracking number: both are required, and only status shipped takes them. */
const trackedShipment = Joi.object<StatusBody>({
  status: Joi.string().valid('shipped').required().messages({ 'any.only': 'carrier and trackingNumber are only sent with status shipped' }),
  reason,
  version,
  carrier: plainText({ min: 1, max: 100 }).required(),
  trackingNumber: trackingNumber.required(),
});

// Sending a carrier or tracking number selects the shipment form; the OpenAPI document states the
// same rule as if/then/else, so it describes exactly what is accepted: shipment details only with
// status shipped, and then both. The payment statuses are refused by the service (the provider sets them).
// (The condition names both keys so the document's `if` defines the properties it requires.)
const sendsShipment = Joi.object({ carrier: Joi.any(), trackingNumber: Joi.any() }).or('carrier', 'trackingNumber').unknown();
export const statusBody = Joi.alternatives<StatusBody>().conditional(sendsShipment, { then: trackedShipment, otherwise: plainStatusChange });

export const listQuery = Joi.object<OrderListQuery>({
  status: Joi.string().valid(...ORDER_STATUSES),
  account: objectId('an account id'),
  from: Joi.date().iso(),
  to: dateAfter('from'),
  minTotal: money(),
  maxTotal: Joi.when('minTotal', {
    is: Joi.exist(),
    then: money().min(Joi.ref('minTotal')).messages({ 'number.min': 'maxTotal must be greater than or equal to minTotal' }),
    otherwise: money(),
  }).description('At least minTotal when both are sent'),
  ...listingKeys(ORDER_SORT),
}).meta(LISTING_EXCLUSIONS);

export const statsQuery = Joi.object<StatsQuery>({
  from: Joi.date().iso(),
  to: dateAfter('from'),
  top: Joi.number().integer().min(1).max(50),
});
