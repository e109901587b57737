// Composition root: builds repositories, services and middlewares from their collaborators.
// Tests call createContainer with their own connection, Redis and fakes; nothing else wires objects.
import type Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type { AppConfig } from '../config';
import type { Queue } from 'bullmq';
import { createDashboardTickets, type DashboardTickets } from '../jobs/dashboard';
import { isBullEmailQueue } from '../jobs/email/email.queue';
import { isManagedEmailQueue, type EmailQueue } from '../jobs/email/types';
import { queueStats } from '../jobs/queue-stats';
import { createNudger } from '../jobs/outbox/nudge';
import { createEventPublisher } from '../jobs/outbox/publisher';
import { createOutboxRelay, type OutboxRelay } from '../jobs/outbox/relay';
import { OutboxEvent } from '../models/OutboxEvent';
import { createOutboxRepository } from '../repositories/outbox.repository';
import { createAuthMiddlewares, type AuthMiddlewares } from '../middlewares/auth.middleware';
import { IdempotencyKey } from '../models/IdempotencyKey';
import { Order } from '../models/Order';
import { Product } from '../models/Product';
import { createAccountRepository, type AccountRepository } from '../repositories/account.repository';
import { createIdempotencyRepository } from '../repositories/idempotency.repository';
import { createOrderRepository } from '../repositories/order.repository';
import { createProductRepository } from '../repositories/product.repository';
import { createPasswordResetTokenRepository, createRefreshTokenRepository, type RefreshTokenRepository } from '../repositories/token.repository';
import { createAccountService, type AccountService } from '../services/account.service';
import { createAuthService, type AuthService } from '../services/auth/auth.service';
import { createHealthService, type HealthService } from '../services/health.service';
import { createJobAdminService, type JobAdminService } from '../services/job-admin.service';
import { createPasswordResetService, type PasswordResetService } from '../services/auth/password-reset';
import { createPasswordHasher, type PasswordHasher } from '../services/auth/password';
import { createOrderEvents } from '../services/orders/events';
import { createOutbox, type Outbox } from '../services/outbox/outbox.service';
import { createOutboxAdminService, type OutboxAdminService } from '../services/outbox/outbox-admin';
import { createOrderPlacement } from '../services/orders/placement';
import { createOrderService, type OrderService } from '../services/orders/order.service';
import { createNoopProductCache, createProductCache } from '../services/products/cache';
import { createProductService, type ProductService } from '../services/products/product.service';
import { createSessionService, type SessionService } from '../services/auth/session';
import { createMetricsService, type MetricsService } from '../services/metrics.service';
import { createTokenService, type TokenService } from '../services/auth/token';
import { createTransactionRunner, type TransactionRunner } from '../services/transactions';

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
  readonly passwordHasher: PasswordHasher;
  readonly accounts: AccountRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly accountService: AccountService;
  readonly sessions: SessionService;
  readonly authService: AuthService;
  readonly passwordReset: PasswordResetService;
  readonly products: ProductService;
  readonly orders: OrderService;
  readonly transactions: TransactionRunner;
  readonly jobAdmin: JobAdminService;
  /** Bull-board's inputs; null when disabled by config or without a BullMQ queue. */
  readonly dashboard: { readonly tickets: DashboardTickets; readonly queues: readonly Queue[] } | null;
  readonly metrics: MetricsService;
  readonly outbox: Outbox;
  readonly outboxAdmin: OutboxAdminService;
  /**
   * A relay publishing to this container's email queue. Not started here: the worker runs its own;
   * the API starts this one only without Redis (development); tests call `runOnce()` to drain.
   */
  readonly outboxRelay: OutboxRelay;
}

export function createContainer(deps: ContainerDeps): Container {
  const { config, redis, emailQueue } = deps;
  const mongo = deps.mongo ?? mongoose.connection;
  const tokens = createTokenService(config.auth);
  const passwordHasher = createPasswordHasher(config.auth.passwordHash);

  const accounts = createAccountRepository(mongo, passwordHasher.hash);
  const refreshTokens = createRefreshTokenRepository(mongo);
  const resetTokens = createPasswordResetTokenRepository(mongo);

  // Sessions and the account service need each other's halves: revoking needs sessions, and
  // rotating needs the live principal. The late-bound closure breaks the cycle.
  const transactions = createTransactionRunner(mongo);
  const outboxRepository = createOutboxRepository(OutboxEvent);
  const outboxRelay = createOutboxRelay({ repository: outboxRepository, publish: createEventPublisher(emailQueue), settings: config.outbox });
  // With Redis the relays live in the worker and hear a pub/sub nudge; without, the in-process relay is nudged.
  const nudge = redis ? createNudger(redis, config.redis.keyPrefix) : () => outboxRelay.nudge();
  const outbox = createOutbox({
    repository: outboxRepository,
    transactions,
    nudge,
    // Test-only failpoint (config refuses it outside NODE_ENV=test): die like a SIGKILL after the commit.
    afterCommit: config.outbox.crashAfterCommit ? () => process.kill(process.pid, 'SIGKILL') : undefined,
  });

  const sessions = createSessionService({
    tokens,
    refreshTokens,
    refreshTtlSeconds: config.auth.refreshTokenTtlSeconds,
    loadPrincipal: (id) => accountService.loadPrincipal(id),
  });
  const accountService = createAccountService({ accounts, sessions });
  const authService = createAuthService({
    accounts,
    sessions,
    hasher: passwordHasher,
    outbox,
    policy: { maxFailedLogins: config.auth.maxFailedLogins, lockoutSeconds: config.auth.lockoutSeconds },
  });
  const passwordReset = createPasswordResetService({ accounts, resetTokens, sessions, outbox, ttlSeconds: config.auth.passwordResetTtlSeconds });

  const productCache =
    config.cache.enabled && redis ? createProductCache(redis, { keyPrefix: config.redis.keyPrefix, ttlSeconds: config.cache.ttlSeconds }) : createNoopProductCache();
  const productRepository = createProductRepository(Product);
  const products = createProductService({
    repository: productRepository,
    cache: productCache,
    // A key of its own derived from the JWT secret: cursors can be verified, never forged or reused as tokens.
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('product-cursor').digest('base64url'),
  });

  const orderRepository = createOrderRepository(Order);
  // Soft-deleted or unknown accounts get no order email.
  const orderEvents = createOrderEvents(async (id) => (await accounts.findById(id))?.email ?? null);
  const orders = createOrderService({
    orders: orderRepository,
    products: productRepository,
    placement: createOrderPlacement({
      orders: orderRepository,
      products: productRepository,
      transactions,
      prepareEvents: async (accountId) => {
        const to = await orderEvents.recipientOf(accountId);
        return (order, session) => outbox.record(session, [orderEvents.placed(order, to)]);
      },
    }),
    idempotency: createIdempotencyRepository(IdempotencyKey),
    transactions,
    events: orderEvents,
    outbox,
    invalidateProducts: (ids) => products.invalidate(ids),
    idempotencyTtlSeconds: config.orders.idempotencyTtlSeconds,
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('order-cursor').digest('base64url'),
  });

  const metrics = createMetricsService({ mongo, redis, serviceName: config.serviceName, version: config.version });
  // Queue depth is read on scrape; a queue that cannot be inspected (null) contributes no samples.
  metrics.registerQueueMetrics(async () => (await queueStats(emailQueue)) ?? {});
  metrics.registerOutboxMetrics(() => outboxRepository.counts(new Date()));

  const dashboard =
    config.email.dashboardEnabled && isBullEmailQueue(emailQueue) ? { tickets: createDashboardTickets(config), queues: [emailQueue.queue] } : null;

  return {
    config,
    redis,
    emailQueue,
    tokens,
    // The token proves who signed in; the database says whether they may still act, and as what.
    auth: createAuthMiddlewares(tokens, (id) => accountService.loadPrincipal(id)),
    health: createHealthService({ version: config.version, mongo, redis, isDraining: deps.isDraining }),
    passwordHasher,
    accounts,
    refreshTokens,
    accountService,
    sessions,
    authService,
    passwordReset,
    products,
    orders,
    transactions,
    jobAdmin: createJobAdminService(isManagedEmailQueue(emailQueue) ? emailQueue : null, dashboard?.tickets ?? null),
    dashboard,
    metrics,
    outbox,
    outboxAdmin: createOutboxAdminService({ repository: outboxRepository, nudge }),
    outboxRelay,
  };
}
