// Composition root: builds repositories, services and middlewares from their collaborators.
// Tests call createContainer with their own connection, Redis and fakes; nothing else wires objects.
import type Redis from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { AppConfig } from '../config';
import type { Queue } from 'bullmq';
import { createDashboardTickets, type DashboardTickets } from '../jobs/dashboard';
import { isBullEmailQueue } from '../jobs/email.queue';
import { isManagedEmailQueue, type EmailQueue } from '../jobs/email.types';
import { createAuthMiddlewares, type AuthMiddlewares, type PrincipalLoader } from '../middlewares/auth.middleware';
import { createHealthService, type HealthService } from '../services/health.service';
import { createJobAdminService, type JobAdminService } from '../services/job-admin.service';
import { createTokenService, type TokenService } from '../services/token.service';

export interface ContainerDeps {
  readonly config: AppConfig;
  readonly redis: Redis | null;
  readonly emailQueue: EmailQueue;
  readonly mongo?: Connection;
  readonly isDraining?: () => boolean;
}

export interface Container {
  readonly config: AppConfig;
  readonly redis: Redis | null;
  readonly emailQueue: EmailQueue;
  readonly tokens: TokenService;
  readonly auth: AuthMiddlewares;
  readonly health: HealthService;
  readonly jobAdmin: JobAdminService;
  /** Bull-board's inputs; null when disabled by config or without a BullMQ queue. */
  readonly dashboard: { readonly tickets: DashboardTickets; readonly queues: readonly Queue[] } | null;
}

export function createContainer(deps: ContainerDeps): Container {
  const { config, redis, emailQueue } = deps;
  const mongo = deps.mongo ?? mongoose.connection;
  const tokens = createTokenService(config.auth);
  // Until the accounts module resolves principals from the database, the verified token is the principal.
  const dashboard =
    config.email.dashboardEnabled && isBullEmailQueue(emailQueue) ? { tickets: createDashboardTickets(config), queues: [emailQueue.queue] } : null;
  const loadPrincipal: PrincipalLoader = async (id, claims) => ({ id, role: claims.role });
  return {
    config,
    redis,
    emailQueue,
    tokens,
    auth: createAuthMiddlewares(tokens, loadPrincipal),
    health: createHealthService({ version: config.version, mongo, redis, isDraining: deps.isDraining }),
    jobAdmin: createJobAdminService(isManagedEmailQueue(emailQueue) ? emailQueue : null, dashboard?.tickets ?? null),
    dashboard,
  };
}
