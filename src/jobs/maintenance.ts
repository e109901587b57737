// The maintenance tasks the worker schedules. A module adds its task here — e.g. the orders
// module's stale-pending-order sweep — and the worker registers it on start-up.
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config';
import type { MaintenanceHandler } from './scheduler';

export interface MaintenanceContext {
  readonly config: AppConfig;
  /** Present when at least one task declares `needsDatabase` (the worker then connects MongoDB). */
  readonly mongo?: Connection;
}

export interface MaintenanceTask {
  /** kebab-case, unique: it names the BullMQ job scheduler. */
  readonly name: string;
  readonly everyMs: (config: AppConfig) => number;
  readonly needsDatabase: boolean;
  readonly create: (context: MaintenanceContext) => MaintenanceHandler;
}

/** Every task the worker runs. The orders issue adds `sweep-stale-pending-orders` here. */
export const maintenanceTasks: readonly MaintenanceTask[] = [];
