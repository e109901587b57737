// Composition root: builds repositories, services and middlewares from their collaborators.
// Tests call createContainer with their own connection, Redis and fakes; nothing else wires objects.
import type Redis from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { AppConfig } from '../config';
import type { EmailQueue } from '../jobs/email.types';
import { createAuthMiddlewares, type AuthMiddlewares, type PrincipalLoader } from '../middlewares/auth.middleware';
import { createHealthService, type HealthService } from '../services/health.service';
import { createMetricsService, type MetricsService } from '../services/metrics.service';
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
  readonly metrics: MetricsService;
}

export function createContainer(deps: ContainerDeps): Container {
  const { config, redis, emailQueue } = deps;
  const mongo = deps.mongo ?? mongoose.connection;
  const tokens = createTokenService(config.auth);
  // Until the accounts module resolves principals from the database, the verified token is the principal.
  const loadPrincipal: PrincipalLoader = async (id, claims) => ({ id, role: claims.role });
  return {
    config,
    redis,
    emailQueue,
    tokens,
    auth: createAuthMiddlewares(tokens, loadPrincipal),
    health: createHealthService({ version: config.version, mongo, redis, isDraining: deps.isDraining }),
    metrics: createMetricsService({ mongo, redis, serviceName: config.serviceName, version: config.version }),
  };
}
