// Checkout: the account's cart becomes an order awaiting payment, its stock reserved exactly as order
// placement reserves it, and a payment is created for it at the provider. The steps, in order:
//   1. the payment provider's breaker is open → 503 at once, nothing touched;
//   2. the cart is claimed (a second checkout of it meanwhile → 409), its lines priced from the catalog;
//   3. the order is placed `awaiting_payment` (placement: reserve every line or none, then save);
//   4. the provider payment is created (the Idempotency-Key, scoped to the order, goes to the provider);
//      if that fails the order is cancelled so its stock comes back, and the cart is left as it was;
//   5. the checked-out lines leave the cart.
// Retries are made safe by the route's declared idempotency (same key → the first answer replayed).
import type { CartRepository } from '../repositories/cart.repository';
import type { AddressRecord } from '../repositories/order.repository';
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
  readonly orders: Pick<OrderService, 'placeForCheckout' | 'cancelUnpaid'>;
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

  return {
    async checkout(accountId: string, input: CheckoutInput, idempotencyKey: string): Promise<CreatedPayment> {
      // Before anything is reserved: an open breaker answers 503 without touching stock or cart.
      payments.assertProviderAvailable();
      const at = now();
      const cart = await claim(accountId, at);
      try {
        const items = cart.lines.map((l) => ({ productId: l.product.toString(), variantId: l.variant.toString(), quantity: l.quantity }));
        const order = await orders.placeForCheckout(accountId, { items, shippingAddress: input.shippingAddress });
        const orderId = order._id.toString();
        let created: CreatedPayment;
        try {
          created = await payments.createPaymentForOrder(order, idempotencyKey);
        } catch (err) {
          // No payment, no order: give the stock back (even past the request's deadline).
          await withoutDeadline(() => orders.cancelUnpaid(orderId, 'payment could not be created')).catch((cancelErr: Error) => {
            logger.error('checkout order without a payment not cancelled; reservation expiry releases it', { orderId, error: cancelErr.message });
          });
          throw err;
        }
        await withoutDeadline(() => carts.completeCheckout(accountId, cart.lines.map((l) => l.variant))).catch((err: Error) => {
          logger.warn('checked-out lines not removed from the cart', { orderId, error: err.message });
        });
        logger.info('checkout completed', { orderId, providerPaymentId: created.payment.providerPaymentId, lines: items.length });
        return created;
      } catch (err) {
        await withoutDeadline(() => carts.releaseCheckout(accountId, at)).catch(() => undefined);
        throw err;
      }
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
