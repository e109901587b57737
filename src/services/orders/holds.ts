// The abandoned-hold sweep: stock holds left by placements that never finished (the process was
// killed between reserving and clearing). The order's existence decides: saved → the stock stays
// sold and the hold goes; never saved → the units go back. Both writes are conditional on the hold,
// so a sweep racing a live placement or another sweep changes stock at most once.
import type { OrderRepository } from '../../repositories/order.repository';
import type { ProductRepository } from '../../repositories/product.repository';

export const ABANDONED_HOLD_SWEEP_NAME = 'release-abandoned-stock-holds';
export const ABANDONED_HOLD_SWEEP_EVERY_MS = 30_000;
const BATCH = 500;

/**
 * A hold is abandoned once its placement cannot still be running: well past the request deadline
 * (which cancels placement) plus the commit allowance. Never under two minutes.
 */
export function abandonedAfterMs(requestTimeoutMs: number): number {
  return Math.max(120_000, 2 * requestTimeoutMs + 10_000);
}

export function createAbandonedHoldSweep(
  deps: {
    products: Pick<ProductRepository, 'findHoldsPlacedBefore' | 'releaseHold' | 'clearHolds'>;
    orders: Pick<OrderRepository, 'findById'>;
    /**
     * Called for a saved order before its holds go. On a standalone server (no transactions) the
     * placement may have died between saving the order and recording its event; this records it.
     * Runs first so a failure leaves the hold for the next sweep.
     */
    onOrderSaved?: (orderId: string) => Promise<void>;
  },
  abandonAfterMs: number,
  now: () => Date = () => new Date(),
) {
  return async function sweepAbandonedHolds(): Promise<{ released: number; completed: number }> {
    const holds = await deps.products.findHoldsPlacedBefore(new Date(now().getTime() - abandonAfterMs), BATCH);
    let released = 0;
    let completed = 0;
    for (const hold of holds) {
      if (await deps.orders.findById(hold.order)) {
        await deps.onOrderSaved?.(hold.order);
        await deps.products.clearHolds([hold.productId], hold.order);
        completed += 1;
      } else if (await deps.products.releaseHold(hold)) {
        released += 1;
      }
    }
    return { released, completed };
  };
}
