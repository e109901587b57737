// The maintenance tasks the worker schedules. A module adds its task here — e.g. the orders
// module's stale-pending-order sweep — and the worker registers it on start-up.
import type Redis from 'ioredis';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config';
import { createContainer } from '../loaders/container';
import { Order } from '../models/Order';
import { Product } from '../models/Product';
import { createOrderRepository } from '../repositories/order.repository';
import { createProductRepository } from '../repositories/product.repository';
import { ABANDONED_HOLD_SWEEP_EVERY_MS, ABANDONED_HOLD_SWEEP_NAME, abandonedAfterMs, createAbandonedHoldSweep } from '../services/orders/holds';
import { createStaleOrderSweep, STALE_ORDER_SWEEP_NAME, staleSweepEveryMs } from '../services/orders/sweep';
import type { EmailQueue } from './email/types';
import type { MaintenanceHandler } from './scheduler';

export interface MaintenanceContext {
  readonly config: AppConfig;
  /** Present when at least one task declares `needsDatabase` (the worker then connects MongoDB). */
  readonly mongo?: Connection;
  readonly redis?: Redis;
  /** A producer, so domain tasks can send the emails their services send (e.g. status emails). */
  readonly emailQueue?: EmailQueue;
}

export interface MaintenanceTask {
  /** kebab-case, unique: it names the BullMQ job scheduler. */
  readonly name: string;
  readonly everyMs: (config: AppConfig) => number;
  readonly needsDatabase: boolean;
  readonly create: (context: MaintenanceContext) => MaintenanceHandler;
}

function requireDomain(context: MaintenanceContext): Required<Pick<MaintenanceContext, 'mongo' | 'redis' | 'emailQueue'>> {
  const { mongo, redis, emailQueue } = context;
  if (!mongo || !redis || !emailQueue) throw new Error('a database task needs MongoDB, Redis and the email queue');
  return { mongo, redis, emailQueue };
}

/** Every task the worker runs. */
export const maintenanceTasks: readonly MaintenanceTask[] = [
  {
    // Cancels and restocks orders left pending past PENDING_ORDER_TTL_MINUTES, through the same
    // order service as the API (status email, cache invalidation, restock exactly once).
    name: STALE_ORDER_SWEEP_NAME,
    everyMs: (config) => staleSweepEveryMs(config.orders.pendingTtlMinutes),
    needsDatabase: true,
    create: (context) => {
      const { mongo, redis, emailQueue } = requireDomain(context);
      const { orders } = createContainer({ config: context.config, redis, emailQueue, mongo });
      return createStaleOrderSweep(orders, context.config.orders.pendingTtlMinutes);
    },
  },
  {
    // Stock holds of placements that died between reserving and clearing (a killed API process):
    // completed when the order was saved, given back when it was not.
    name: ABANDONED_HOLD_SWEEP_NAME,
    everyMs: () => ABANDONED_HOLD_SWEEP_EVERY_MS,
    needsDatabase: true,
    create: (context) => {
      requireDomain(context);
      const sweep = { products: createProductRepository(Product), orders: createOrderRepository(Order) };
      return createAbandonedHoldSweep(sweep, abandonedAfterMs(context.config.http.requestTimeoutMs));
    },
  },
];
