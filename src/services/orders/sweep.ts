// The stale-pending-order sweep as a repeatable task: each run cancels (and restocks) orders left
// pending longer than PENDING_ORDER_TTL_MINUTES. The worker's scheduler calls the returned function.
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
