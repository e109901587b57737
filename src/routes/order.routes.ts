// Order endpoints. `/orders/stats` is declared before `/orders/:id` so it is not read as an id.
import Joi from 'joi';
import { createOrderController } from '../controllers/order.controller';
import { ORDER_STATUSES, PAYMENT_STATUSES } from '../models/Order';
import type { OrderService } from '../services/orders/order.service';
import { route, type RouteDefinition } from './route-table';
import { cancelBody, idempotencyHeaders, ifMatchHeaders, listQuery, orderIdParams, placeBody, shippingAddressView, statsQuery, statusBody } from './order.schemas';

// Every key is present unless marked optional (`presence: 'required'` is inherited by nested keys).
const order = Joi.object({
  id: Joi.string(),
  accountId: Joi.string(),
  status: Joi.string().valid(...ORDER_STATUSES),
  items: Joi.array().items(
    Joi.object({
      productId: Joi.string(),
      variantId: Joi.string().optional().description('Absent on lines ordered before variants existed'),
      name: Joi.string(),
      sku: Joi.string().description("The variant's SKU when the line names a variant"),
      optionValues: Joi.object().pattern(Joi.string(), Joi.string()).description('The variant\'s options, e.g. {"size":"M","color":"Red"}; {} for a product without options'),
      unitPrice: Joi.number(),
      quantity: Joi.number().integer(),
      lineTotal: Joi.number(),
    }),
  ),
  itemCount: Joi.number().integer(),
  subtotal: Joi.number().description('Decimal amount in `currency` (stored as integer minor units)'),
  total: Joi.number(),
  currency: Joi.string(),
  // Optional lines stay optional in the answer (the parent's presence would make them required).
  shippingAddress: shippingAddressView.fork(['line2', 'region', 'phone'], (key) => key.optional()),
  statusHistory: Joi.array().items(Joi.object({ status: Joi.string().valid(...ORDER_STATUSES), at: Joi.string().isoDate(), by: Joi.string().allow(null), reason: Joi.string().optional() })),
  isCancellable: Joi.boolean(),
  payment: Joi.object({
    provider: Joi.string(),
    providerPaymentId: Joi.string(),
    amount: Joi.number(),
    refunded: Joi.number(),
    status: Joi.string().valid(...PAYMENT_STATUSES),
    failureReason: Joi.string().optional().description('Why the last attempt was declined'),
  })
    .optional()
    .description('Present on orders paid through the payment provider'),
  shipment: Joi.object({ carrier: Joi.string(), trackingNumber: Joi.string(), shippedAt: Joi.string().isoDate() }).optional().description('Present once shipped with a carrier and tracking number'),
  version: Joi.number().integer(),
  createdAt: Joi.string().isoDate(),
  updatedAt: Joi.string().isoDate(),
}).prefs({ presence: 'required' });

/** An order as every order endpoint answers it (the payment endpoints answer it too). */
export const orderResponse = order;

const stats = Joi.object({
  from: Joi.string().isoDate(),
  to: Joi.string().isoDate(),
  totals: Joi.object({ orders: Joi.number().integer(), revenue: Joi.number() }),
  perDay: Joi.array().items(Joi.object({ date: Joi.string(), orders: Joi.number().integer(), revenue: Joi.number() })),
  perStatus: Joi.array().items(Joi.object({ status: Joi.string().valid(...ORDER_STATUSES), orders: Joi.number().integer(), total: Joi.number() })),
  topProducts: Joi.array().items(Joi.object({ productId: Joi.string(), name: Joi.string(), sku: Joi.string(), quantity: Joi.number().integer(), revenue: Joi.number() })),
}).prefs({ presence: 'required' });

const versioned = {
  409: { description: 'VERSION_CONFLICT: changed since it was read; INVALID_TRANSITION: not allowed from the current status' },
  428: { description: 'VERSION_REQUIRED: neither If-Match nor version sent' },
};

export function orderRoutes(orders: OrderService): RouteDefinition[] {
  const controller = createOrderController(orders);
  const tags = ['Orders'];
  return [
    route({
      method: 'post',
      path: '/orders',
      summary: 'Place an order (prices from the catalog; all lines reserved or none)',
      description:
        'For staff and back-office orders: the order starts `pending` and is paid out of band (staff mark it `paid`); no payment provider is involved. Customers buying online use the cart and `POST /checkout`, which creates an order `awaiting_payment` with a provider payment. Send `Idempotency-Key` to make retries safe: the same key and body replay the original response; another body → 422.',
      tags,
      access: 'authenticated',
      validate: { headers: idempotencyHeaders, body: placeBody },
      idempotency: 'optional',
      responses: {
        201: { description: 'Created (or replayed: `Idempotent-Replayed: true`); `Location` and `ETag` set', schema: order },
        400: { description: 'VALIDATION_FAILED; PRODUCT_UNAVAILABLE (unknown, draft or deleted product ids in details); VARIANT_REQUIRED (a line names only a product with several variants); VARIANT_UNAVAILABLE; MIXED_CURRENCIES' },
        409: { description: 'INSUFFICIENT_STOCK with the short items (nothing was reserved); IDEMPOTENCY_IN_PROGRESS: the first request with this key still runs (see Retry-After)' },
        422: { description: 'IDEMPOTENCY_KEY_REUSED: the key was used with a different body' },
      },
      requestExample: {
        items: [{ productId: '665f1c2e9b1e8a3d4c5b6a79', variantId: '665f1c2e9b1e8a3d4c5b6a7a', quantity: 2 }],
        shippingAddress: { fullName: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
      },
      // Buys a variant of the product the Products folder created (it has two by then); a fresh key per run.
      postman: {
        headers: { 'Idempotency-Key': '{{$guid}}' },
        body: { 'items.0.productId': '{{productId}}', 'items.0.variantId': '{{variantId}}' },
        captures: { orderId: 'data.id', orderEtag: 'header:ETag' },
      },
      handler: controller.place,
    }),
    route({
      method: 'get',
      path: '/orders',
      summary: 'List orders (customers: their own; staff: all, filterable)',
      tags,
      access: 'authenticated',
      validate: { query: listQuery },
      responses: {
        200: { description: 'A page of orders; `meta` carries offset totals or the next cursor', schema: Joi.array().items(order) },
        403: { description: '`account` of someone else from a customer' },
      },
      postman: { query: { status: 'pending', limit: '10' } },
      handler: controller.list,
    }),
    route({
      method: 'get',
      path: '/orders/stats',
      summary: 'Revenue and order counts per day and per status, top products (one aggregation)',
      description: 'Range `[from, to)`, default the last 30 days, at most 366 days. Revenue excludes cancelled orders.',
      tags,
      access: ['admin'],
      validate: { query: statsQuery },
      responses: { 200: { description: 'The report', schema: stats } },
      handler: controller.stats,
    }),
    route({
      method: 'get',
      path: '/orders/:id',
      summary: 'One order (owner or staff; 404 for anyone else)',
      tags,
      access: 'authenticated',
      validate: { params: orderIdParams },
      responses: { 200: { description: 'The order (ETag carries its version)', schema: order }, 404: { description: 'ORDER_NOT_FOUND (also for orders of others)' } },
      postman: { captures: { orderEtag: 'header:ETag' } },
      handler: controller.get,
    }),
    // Status before cancel: also the run order (staff mark the order paid, then its owner cancels it).
    route({
      method: 'patch',
      path: '/orders/:id/status',
      summary: 'Move an order along its lifecycle (If-Match or version required)',
      description:
        '`paid` is for staff orders paid out of band (`pending` only; provider payments are marked paid by their webhook; the payment statuses are never set by hand). `shipped` takes `carrier` and `trackingNumber` (both or neither): they are recorded and emailed to the customer. `cancelled` restocks and, for a paid provider payment, refunds it.',
      tags,
      access: ['manager', 'admin'],
      validate: { params: orderIdParams, headers: ifMatchHeaders, body: statusBody },
      responses: { 200: { description: 'Changed', schema: order }, ...versioned, 503: { description: 'PAYMENT_PROVIDER_UNAVAILABLE: the refund a cancel needs could not be made; nothing changed' } },
      requestExample: { status: 'paid', reason: 'Payment captured' },
      postman: { headers: { 'If-Match': '{{orderEtag}}' }, captures: { orderEtag: 'header:ETag' } },
      handler: controller.changeStatus,
    }),
    route({
      method: 'post',
      path: '/orders/:id/cancel',
      summary: 'Cancel an unshipped order, restock it and refund a provider payment (If-Match or version required)',
      tags,
      access: 'authenticated',
      validate: { params: orderIdParams, headers: ifMatchHeaders, body: cancelBody },
      responses: {
        200: { description: 'Cancelled', schema: order },
        404: { description: 'ORDER_NOT_FOUND' },
        ...versioned,
        503: { description: 'PAYMENT_PROVIDER_UNAVAILABLE: the refund could not be made; the order is unchanged' },
      },
      requestExample: { reason: 'Ordered the wrong size' },
      postman: { headers: { 'If-Match': '{{orderEtag}}' } },
      handler: controller.cancel,
    }),
  ];
}
