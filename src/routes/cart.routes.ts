// Cart and checkout endpoints. The cart is the caller's own: no cart id travels in a request, so
// no account can name (or touch) another's cart. Declared in the order the Newman story runs them
// (it groups a path's methods): fill the cart, check out, read and empty it, then the line edits,
// which find the line gone (checkout took it).
import Joi from 'joi';
import { createCartController } from '../controllers/cart.controller';
import type { CartService } from '../services/cart/cart.service';
import type { CheckoutService } from '../services/checkout.service';
import { addItemBody, cartResponse, checkoutBody, checkoutHeaders, quantityBody, variantParams } from './cart.schemas';
import { orderResponse } from './order.routes';
import { route, type RouteDefinition } from './route-table';

const checkoutResponse = Joi.object({
  order: orderResponse,
  payment: Joi.object({
    provider: Joi.string().valid('stripe', 'simulated'),
    providerPaymentId: Joi.string().description('Also `order.payment.providerPaymentId`; the simulated provider confirms it at `POST /dev/payments/{id}/confirm`'),
    clientSecret: Joi.string().description("What the client pays with (Stripe.js `confirmCardPayment`); the PaymentIntent's client secret"),
    status: Joi.string(),
  }),
}).prefs({ presence: 'required' });

const lineErrors = {
  400: { description: 'VALIDATION_FAILED; PRODUCT_UNAVAILABLE (unknown, draft or deleted product); VARIANT_REQUIRED (the product has several variants); VARIANT_UNAVAILABLE; MIXED_CURRENCIES (the cart is priced in another currency)' },
  422: { description: 'CART_LIMIT_EXCEEDED: at most 50 different variants, 1000 of one variant', code: 'CART_LIMIT_EXCEEDED' },
};

export function cartRoutes(cart: CartService, checkout: CheckoutService): RouteDefinition[] {
  const controller = createCartController(cart, checkout);
  const tags = ['Cart'];
  const ok = { description: 'The cart, priced now from the catalog', schema: cartResponse };
  return [
    route({
      method: 'post',
      path: '/cart/items',
      summary: 'Add a product variant to your cart',
      description: 'The same variant twice merges into one line (quantities add up). The line records the current price, so a later read can flag a change. Prices are never sent: the catalog prices every line.',
      tags,
      access: 'authenticated',
      validate: { body: addItemBody },
      responses: { 200: ok, ...lineErrors, 409: { description: 'CART_CONFLICT: the cart kept changing concurrently; retry', code: 'CART_CONFLICT' } },
      requestExample: { productId: '665f1c2e9b1e8a3d4c5b6a79', variantId: '665f1c2e9b1e8a3d4c5b6a7a', quantity: 2 },
      postman: { body: { productId: '{{productId}}', variantId: '{{variantId}}', quantity: '1' } },
      handler: controller.addItem,
    }),
    route({
      method: 'post',
      path: '/checkout',
      summary: 'Check out your cart: an order awaiting payment, its stock reserved, and a payment to complete',
      description:
        'Idempotency-Key required (428 without it): the same key and body replay the first answer (`Idempotent-Replayed: true`); another body → 422; the key, scoped to the order, also goes to the payment provider. The cart becomes an order in `awaiting_payment` with every line reserved or none (prices from the catalog), and a payment for its total is created at the provider; pay with `payment.clientSecret` (Stripe.js), or with the simulated provider at `POST /dev/payments/{id}/confirm`. The order becomes `paid` when the provider confirms (webhook), `payment_failed` on a decline (stock released), and is cancelled with its stock released if still unpaid after CHECKOUT_RESERVATION_MINUTES. The checked-out lines leave the cart. `POST /orders` stays for staff/back-office orders paid out of band.',
      tags: ['Cart', 'Orders', 'Payments'],
      access: 'authenticated',
      validate: { headers: checkoutHeaders, body: checkoutBody },
      idempotency: 'required',
      responses: {
        201: { description: 'The order (`awaiting_payment`) and the payment to complete (or replayed: `Idempotent-Replayed: true`); `Location` and `ETag` of the order', schema: checkoutResponse },
        400: { description: 'VALIDATION_FAILED; PRODUCT_UNAVAILABLE / VARIANT_UNAVAILABLE (a cart line can no longer be bought; `items.<n>` is the cart line); MIXED_CURRENCIES' },
        409: {
          description:
            'CART_EMPTY; CHECKOUT_IN_PROGRESS: another checkout of this cart is running (Retry-After); INSUFFICIENT_STOCK with the short lines (nothing was reserved); IDEMPOTENCY_IN_PROGRESS: the first request with this key still runs (see Retry-After)',
        },
        422: { description: 'IDEMPOTENCY_KEY_REUSED: the key was used with a different body; PAYMENT_PROVIDER_REJECTED: the provider refused the payment (nothing stays reserved)' },
        428: { description: 'IDEMPOTENCY_KEY_REQUIRED: no Idempotency-Key sent', code: 'IDEMPOTENCY_KEY_REQUIRED' },
        503: { description: 'PAYMENT_PROVIDER_UNAVAILABLE: the provider is down (circuit open: answered at once); nothing was reserved, the cart is unchanged — retry with the same key' },
      },
      requestExample: { shippingAddress: { fullName: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' } },
      // The order id gets a name of its own: the Orders folder's {{orderId}} (a back-office order) stays as it was.
      postman: { headers: { 'Idempotency-Key': '{{$guid}}' }, captures: { checkoutOrderId: 'data.order.id', paymentId: 'data.payment.providerPaymentId' } },
      handler: controller.checkout,
    }),
    route({
      method: 'get',
      path: '/cart',
      summary: 'Read your cart, repriced from the catalog',
      description:
        'Every read recomputes unit prices, line totals and the subtotal from the catalog, and flags each line whose price changed since it was added (`priceChanged`, with `addedUnitPrice`), whose product or variant can no longer be bought (`unavailable`, left out of the subtotal) or whose stock is short (`stockShort`, with `availableQuantity`). An account without a cart gets an empty one.',
      tags,
      access: 'authenticated',
      responses: { 200: ok },
      handler: controller.get,
    }),
    route({
      method: 'delete',
      path: '/cart',
      summary: 'Empty your cart',
      tags,
      access: 'authenticated',
      responses: { 200: ok, 409: { description: 'CART_CONFLICT: the cart kept changing concurrently; retry', code: 'CART_CONFLICT' } },
      handler: controller.clear,
    }),
    route({
      method: 'patch',
      path: '/cart/items/:variantId',
      summary: "Set the quantity of a line in your cart",
      description: "The line's price snapshot is refreshed (the customer acted on the price shown). 404 when the variant is not in your cart.",
      tags,
      access: 'authenticated',
      validate: { params: variantParams, body: quantityBody },
      responses: { 200: ok, 404: { description: 'CART_LINE_NOT_FOUND', code: 'CART_LINE_NOT_FOUND' }, 409: { description: 'CART_CONFLICT: the cart kept changing concurrently; retry', code: 'CART_CONFLICT' } },
      requestExample: { quantity: 3 },
      // After checkout the line has left the cart: a deliberate negative check of that.
      postman: { expectStatus: 404, expectCode: 'CART_LINE_NOT_FOUND' },
      handler: controller.setQuantity,
    }),
    route({
      method: 'delete',
      path: '/cart/items/:variantId',
      summary: 'Remove a line from your cart',
      tags,
      access: 'authenticated',
      validate: { params: variantParams },
      responses: { 200: ok, 404: { description: 'CART_LINE_NOT_FOUND', code: 'CART_LINE_NOT_FOUND' }, 409: { description: 'CART_CONFLICT: the cart kept changing concurrently; retry', code: 'CART_CONFLICT' } },
      postman: { expectStatus: 404, expectCode: 'CART_LINE_NOT_FOUND' },
      handler: controller.removeItem,
    }),
  ];
}
