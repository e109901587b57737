// Checkout: the account's cart becomes an order awaiting payment, its stock reserved exactly as order
// placement reserves it, and a payment is created for it at the provider. The steps, in order:
//   1. the payment provider's breaker is open → 503 at once, nothing touched;
//   2. the cart is claimed (a second checkout of it meanwhile → 409), its lines priced from the catalog;
//   3. the order is placed `awaiting_payment` (placement: reserve every line or none through the
//      stock-write path, then save) with the Idempotency-Key stored on it;
//   4. the provider payment is created (the Idempotency-Key, scoped to the order, goes to the provider);
//      if that fails the order is cancelled so its stock comes back, and the cart is left as it was;
//   5. the order's lines leave the cart.
// A retry whose first attempt saved its order and died before its answer was stored (kill -9) finds
// that order by the key (step 3's lookup, done first: the cart may be empty by then) and gets its payment.
// Retries are made safe by the route's declared idempotency (same key → the first answer replayed).
import type { CartRepository } from '../repositories/cart.repository';
import type { AddressRecord, OrderRecord } from '../repositories/order.repository';
import { ConflictError } from '../utils/errors';
import { logger } from '../utils/logger';
import { withoutDeadline } from '../utils/tracing';
import type { OrderService } from './orders/order.service';
import type { CreatedPayment, PaymentService } from './payments/payment.service';

export interface CheckoutInput {
  readonly shippingAddress: AddressRecord;
}

export interface CheckoutDeps {
  readonly carts: CartRepository;
  readonly orders: Pick<OrderService, 'findCheckoutOrder' | 'placeForCheckout' | 'cancelUnpaid'>;
  readonly payments: Pick<PaymentService, 'assertProviderAvailable' | 'createPaymentForOrder'>;
  /** A claim older than this belonged to a checkout that died; it is taken over. Outlives the request deadline. */
  readonly claimLeaseMs: number;
  readonly now?: () => Date;
}

const CLAIM_ATTEMPTS = 3;

export function createCheckoutService(deps: CheckoutDeps) {
  const { carts, orders, payments } = deps;
  const now = deps.now ?? (() => new Date());

  /** The cart with its lines, claimed for this checkout. */
  async function claim(accountId: string, at: Date) {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const cart = await carts.findByAccount(accountId);
      if (!cart || !cart.lines.length || new Date(cart.expiresAt).getTime() <= at.getTime()) {
        throw new ConflictError('Your cart is empty: add items before checking out', 'CART_EMPTY');
      }
      const staleBefore = new Date(at.getTime() - deps.claimLeaseMs);
      if (cart.checkoutStartedAt && new Date(cart.checkoutStartedAt).getTime() >= staleBefore.getTime()) break;
      const claimed = await carts.claimCheckout(accountId, cart.version, at, staleBefore);
      if (claimed) return claimed;
      // The cart changed between the read and the claim (an edit, or another checkout): read again.
    }
    throw new ConflictError('A checkout of this cart is already running; wait for it to finish', 'CHECKOUT_IN_PROGRESS', { headers: { 'Retry-After': '2' } });
  }

  /** The order's provider payment. Without one the order is cancelled so its stock comes back. */
  async function pay(order: OrderRecord, idempotencyKey: string): Promise<CreatedPayment> {
    try {
      return await payments.createPaymentForOrder(order, idempotencyKey);
    } catch (err) {
      const orderId = order._id.toString();
      // No payment, no order: give the stock back (even past the request's deadline).
      await withoutDeadline(() => orders.cancelUnpaid(orderId, 'payment could not be created')).catch((cancelErr: Error) => {
        logger.error('checkout order without a payment not cancelled; reservation expiry releases it', { orderId, error: cancelErr.message });
      });
      throw err;
    }
  }

  /** The order's lines leave the cart (not the cart's: lines added since an earlier attempt stay). */
  async function clearOrdered(accountId: string, order: OrderRecord): Promise<void> {
    const ordered = order.items.flatMap((i) => (i.variant ? [i.variant] : []));
    await withoutDeadline(() => carts.completeCheckout(accountId, ordered)).catch((err: Error) => {
      logger.warn('checked-out lines not removed from the cart', { orderId: order._id.toString(), error: err.message });
    });
  }

  return {
    async checkout(accountId: string, input: CheckoutInput, idempotencyKey: string): Promise<CreatedPayment> {
      // Before anything is reserved: an open breaker answers 503 without touching stock or cart.
      payments.assertProviderAvailable();
      // A retry whose first attempt placed the order but died before its answer was stored: that
      // order and its payment (the provider's key is the same), whatever the cart holds now.
      const placed = await orders.findCheckoutOrder(accountId, idempotencyKey);
      if (placed) {
        const created = await pay(placed, idempotencyKey);
        await clearOrdered(accountId, placed);
        logger.info('checkout answered with the order an earlier attempt placed', { orderId: placed._id.toString() });
        return created;
      }
      const at = now();
      const cart = await claim(accountId, at);
      try {
        const items = cart.lines.map((l) => ({ productId: l.product.toString(), variantId: l.variant.toString(), quantity: l.quantity }));
        const order = await orders.placeForCheckout(accountId, { items, shippingAddress: input.shippingAddress }, { idempotencyKey });
        const created = await pay(order, idempotencyKey);
        await clearOrdered(accountId, order);
        logger.info('checkout completed', { orderId: order._id.toString(), providerPaymentId: created.payment.providerPaymentId, lines: items.length });
        return created;
      } catch (err) {
        await withoutDeadline(() => carts.releaseCheckout(accountId, at)).catch(() => undefined);
        throw err;
      }
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
