// The maintenance tasks the worker schedules, composed from the domain services. A module adds its
// task here — e.g. the orders module's stale-pending-order sweep — and the worker registers it on start-up.
import type { AppConfig } from '../config';
import type { CronSchedule, MaintenanceHandler } from '../jobs/scheduler';
import { ABANDONED_HOLD_SWEEP_EVERY_MS, ABANDONED_HOLD_SWEEP_NAME, abandonedAfterMs, createAbandonedHoldSweep } from '../services/orders/holds';
import { createReservationExpirySweep, createStaleOrderSweep, RESERVATION_EXPIRY_SWEEP_NAME, reservationSweepEveryMs, STALE_ORDER_SWEEP_NAME, staleSweepEveryMs } from '../services/orders/sweep';
import { STOCK_ALERT_SWEEP_EVERY_MS, STOCK_ALERT_SWEEP_NAME } from '../services/stock/stock.service';
import { STRANDED_IMPORT_AFTER_MS } from '../services/inventory/inventory.service';
import { DAILY_REPORT_TASK } from '../services/reports/report.service';
import type { Services } from './container';

/** `everyMs` for an interval, `cron` for a wall-clock schedule. */
export type MaintenanceTask = {
  /** kebab-case, unique: it names the BullMQ job scheduler. */
  readonly name: string;
  readonly handler: MaintenanceHandler;
} & ({ readonly everyMs: number } | { readonly cron: CronSchedule });

/** Every task the worker runs. */
export function maintenanceTasks(config: AppConfig, services: Pick<Services, 'orders' | 'repositories' | 'stock' | 'inventory' | 'reports'>): MaintenanceTask[] {
  return [
    {
      // Cancels and restocks orders left pending past PENDING_ORDER_TTL_MINUTES, through the same
      // order service as the API (status email, cache invalidation, restock exactly once).
      name: STALE_ORDER_SWEEP_NAME,
      everyMs: staleSweepEveryMs(config.orders.pendingTtlMinutes),
      handler: createStaleOrderSweep(services.orders, config.orders.pendingTtlMinutes),
    },
    {
      // Checkout orders not paid within CHECKOUT_RESERVATION_MINUTES: the payment is cancelled at the
      // provider and the stock released exactly once (the same cancelUnpaid the webhook uses).
      name: RESERVATION_EXPIRY_SWEEP_NAME,
      everyMs: reservationSweepEveryMs(config.orders.reservationMinutes),
      handler: createReservationExpirySweep(services.orders, config.orders.reservationMinutes),
    },
    {
      // Stock holds of placements that died between reserving and clearing (a killed API process):
      // completed when the order was saved (recording its order-placed event if a standalone
      // server lost it), given back when it was not.
      name: ABANDONED_HOLD_SWEEP_NAME,
      everyMs: ABANDONED_HOLD_SWEEP_EVERY_MS,
      handler: createAbandonedHoldSweep(
        { ...services.repositories, stock: services.stock, onOrderSaved: (orderId) => services.orders.recordPlacedIfMissing(orderId) },
        abandonedAfterMs(config.http.requestTimeoutMs),
      ),
    },
    {
      // Stock alerts stored on a product by a stock write whose process died before moving them to
      // the outbox (services/stock/README.md): moved now, each once by its event id.
      name: STOCK_ALERT_SWEEP_NAME,
      everyMs: STOCK_ALERT_SWEEP_EVERY_MS,
      handler: () => services.stock.moveStrandedAlerts(),
    },
    {
      // Inventory imports stored while the queue was unreachable: queued again (job id = import id).
      name: 'enqueue-stranded-imports',
      everyMs: STRANDED_IMPORT_AFTER_MS,
      handler: () => services.inventory.enqueueStranded(),
    },
    {
      // Yesterday's sales report in REPORTS_TZ, stored and emailed to admins once per day (a retry
      // or a second tick finds the stored report and does nothing).
      name: DAILY_REPORT_TASK,
      cron: { cron: config.reports.cron, tz: config.reports.timeZone },
      handler: async () => ({ ...(await services.reports.buildPrevious()) }),
    },
  ];
}
