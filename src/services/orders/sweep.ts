// The order sweeps as repeatable tasks: stale staff orders left pending longer than
// PENDING_ORDER_TTL_MINUTES, and checkout reservations not paid within CHECKOUT_RESERVATION_MINUTES.
// The worker's scheduler calls the returned functions.
import type { OrderService } from './order.service';

export const STALE_ORDER_SWEEP_NAME = 'sweep-stale-pending-orders';

/** How often to sweep: a quarter of the window (so an order waits at most 1.25 × the window), at least every minute. */
export function staleSweepEveryMs(pendingTtlMinutes: number): number {
  return Math.max(60_000, Math.floor((pendingTtlMinutes * 60_000) / 4));
}

export function createStaleOrderSweep(orders: Pick<OrderService, 'cancelStalePending'>, pendingTtlMinutes: number, now: () => Date = () => new Date()) {
  return async function sweepStalePendingOrders(): Promise<{ cancelled: number; olderThan: string }> {
    const olderThan = new Date(now().getTime() - pendingTtlMinutes * 60_000);
    const { cancelled } = await orders.cancelStalePending(olderThan);
    return { cancelled: cancelled.length, olderThan: olderThan.toISOString() };
  };
}

export const RESERVATION_EXPIRY_SWEEP_NAME = 'expire-checkout-reservations';

/** How often to look for expired reservations: a sixth of the window (so stock waits at most ~1.2 × it), at least every 30 s. */
export function reservationSweepEveryMs(reservationMinutes: number): number {
  return Math.max(30_000, Math.floor((reservationMinutes * 60_000) / 6));
}

/**
 * Checkout reservations as a repeatable task: each run cancels checkout orders still unpaid
 * CHECKOUT_RESERVATION_MINUTES after checkout (payment cancelled at the provider, stock released once).
 */
export function createReservationExpirySweep(orders: Pick<OrderService, 'cancelExpiredReservations'>, reservationMinutes: number, now: () => Date = () => new Date()) {
  return async function expireCheckoutReservations(): Promise<{ cancelled: number; olderThan: string }> {
    const olderThan = new Date(now().getTime() - reservationMinutes * 60_000);
    const { cancelled } = await orders.cancelExpiredReservations(olderThan);
    return { cancelled: cancelled.length, olderThan: olderThan.toISOString() };
  };
}
