// Composition root: the one place that builds services and middlewares from their collaborators.
// The API (loaders/index.ts), the worker (loaders/worker.ts), seeding and tests all obtain their
// objects here; nothing else wires objects. Models and repositories: repositories.ts; module groups:
// events.ts (outbox, relay, analytics) and payments.ts (payments, cart, checkout); the one-shot
// commands' services: commands.ts.
import type Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config';
import { createDashboardTickets } from '../jobs/dashboard';
import { isBullEmailQueue } from '../jobs/email/email.queue';
import { isManagedEmailQueue, type EmailQueue } from '../jobs/email/types';
import { queueStats } from '../jobs/queue-stats';
import { createInProcessImportQueue, type ImportQueue } from '../jobs/inventory/import.queue';
import { createAuthMiddlewares } from '../middlewares/auth.middleware';
import { createMediaStorage, type MediaStorage } from '../repositories/media/media-storage';
import type { Container } from '../routes/container.types';
import { createAccountService } from '../services/account.service';
import { createAuthService } from '../services/auth/auth.service';
import { createCategoryService } from '../services/categories/category.service';
import { createHealthService } from '../services/health.service';
import { createIdempotencyService } from '../services/idempotency.service';
import { createJobAdminService } from '../services/job-admin.service';
import { createImportProcessor } from '../services/inventory/import-processor';
import { createInventoryService } from '../services/inventory/inventory.service';
import { createPasswordResetService } from '../services/auth/password-reset';
import { createPasswordHasher } from '../services/auth/password';
import { createPrincipalCache, invalidatingPrincipals } from '../services/auth/principal-cache';
import { createTotalsCache } from '../services/listing/totals';
import { createOrderEvents } from '../services/orders/events';
import { createOutboxAdminService } from '../services/outbox/outbox-admin';
import { createOrderPlacement } from '../services/orders/placement';
import { createMediaService } from '../services/media/media.service';
import { clearingTotals, createNoopProductCache, createProductCache } from '../services/products/cache';
import type { PaymentProvider } from '../services/payments/provider';
import { createProductService } from '../services/products/product.service';
import { createReportService } from '../services/reports/report.service';
import { createStockWriter } from '../services/stock/stock.service';
import { createWishlistService } from '../services/wishlists/wishlist.service';
import { createSessionService } from '../services/auth/session';
import { createMetricsService } from '../services/metrics.service';
import { createTokenService } from '../services/auth/token';
import { createTransactionRunner } from '../services/transactions';
import { createOrderService } from '../services/orders/order.service';
import { buildReviewService } from './commands';
import { createEvents } from './events';
import { createPayments } from './payments';
import { createRepositories, type Repositories } from './repositories';

export type { Container } from '../routes/container.types';
// Kept importable from here for code written against the single-file root.
export { bindModels, createRepositories, createSeedRepositories, type Repositories, type SeedRepositories } from './repositories';
export { createReviewRepair, createSeedMedia, createSeedReviews } from './commands';
export { ANALYTICS_QUEUE_NAME } from './events';

export interface ContainerDeps {
  readonly config: AppConfig;
  readonly redis: Redis | null;
  readonly emailQueue: EmailQueue;
  readonly mongo: Connection;
  /** Overrides the storage chosen by config.media (tests pass one of their own). */
  readonly mediaStorage?: MediaStorage;
  readonly isDraining?: () => boolean;
  /** The BullMQ import queue (API with Redis); otherwise imports run in this process. */
  readonly importQueue?: ImportQueue;
  /** Replaces the configured payment provider (tests: a failing provider for the breaker). */
  readonly paymentProvider?: PaymentProvider;
}

/**
 * The domain: repositories and services, without anything HTTP-facing. The worker's maintenance
 * tasks run on this, so a sweep goes through the same services (emails, cache, restock) as the API.
 */
export function createServices(deps: Omit<ContainerDeps, 'isDraining'>) {
  const { config, redis, emailQueue, mongo } = deps;
  const tokens = createTokenService(config.auth);
  const passwordHasher = createPasswordHasher(config.auth.passwordHash);
  // Every account write made through the domain drops the cached principal in every API process.
  const principalCache = createPrincipalCache(redis, { ttlMs: config.auth.principalCacheTtlMs, keyPrefix: config.redis.keyPrefix });
  const stored = createRepositories(mongo, passwordHasher);
  const repositories: Repositories = { ...stored, accounts: invalidatingPrincipals(stored.accounts, principalCache) };
  const { accounts, refreshTokens, resetTokens } = repositories;

  const transactions = createTransactionRunner(mongo);
  const { outbox, outboxRelay, nudge, analytics, analyticsQueue } = createEvents({ config, redis, emailQueue, repositories, transactions });

  // Sessions and the account service need each other's halves: revoking needs sessions, and
  // rotating needs the live principal. The late-bound closure breaks the cycle.
  const sessions = createSessionService({
    tokens,
    refreshTokens,
    refreshTtlSeconds: config.auth.refreshTokenTtlSeconds,
    loadPrincipal: (id) => accountService.loadPrincipal(id),
  });
  const accountService = createAccountService({
    accounts,
    sessions,
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('account-cursor').digest('base64url'),
  });
  const authService = createAuthService({
    accounts,
    sessions,
    hasher: passwordHasher,
    outbox,
    policy: { maxFailedLogins: config.auth.maxFailedLogins, lockoutSeconds: config.auth.lockoutSeconds },
  });
  const passwordReset = createPasswordResetService({ accounts, resetTokens, sessions, outbox, ttlSeconds: config.auth.passwordResetTtlSeconds });

  // Catalog totals are kept per process for a few seconds; every product cache invalidation (product,
  // stock and category writes all go through it) clears them in this process.
  const productTotals = createTotalsCache({ ttlMs: config.cache.listTotalsTtlMs });
  const productCache = clearingTotals(
    config.cache.enabled && redis ? createProductCache(redis, { keyPrefix: config.redis.keyPrefix, ttlSeconds: config.cache.ttlSeconds }) : createNoopProductCache(),
    productTotals,
  );
  const productRepository = repositories.products;
  // The one stock-write path (orders, staff edits, inventory imports): detects stock alert crossings.
  const stock = createStockWriter({ stock: repositories.stock, products: productRepository, outbox, lowStockThreshold: config.stockAlerts.lowStockThreshold });
  const mediaStorage = deps.mediaStorage ?? createMediaStorage(config.media);
  const categories = createCategoryService({
    categories: repositories.categories,
    products: repositories.productCategories,
    transactions,
    cache: productCache,
  });
  const products = createProductService({
    repository: productRepository,
    assignCategory: (slug, write) => categories.assign(slug, write),
    stock,
    cache: productCache,
    totals: productTotals,
    mediaUrl: (name) => mediaStorage.url(name),
    // A key of its own derived from the JWT secret: cursors can be verified, never forged or reused as tokens.
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('product-cursor').digest('base64url'),
  });

  const media = createMediaService({
    images: repositories.productImages,
    storage: mediaStorage,
    limits: config.media,
    invalidateProducts: (ids) => products.invalidate(ids),
  });
  const orderRepository = repositories.orders;
  // Soft-deleted or unknown accounts get no order email.
  const orderEvents = createOrderEvents(async (id) => (await accounts.findById(id))?.email ?? null);
  const orders = createOrderService({
    orders: orderRepository,
    stock,
    placement: createOrderPlacement({
      orders: orderRepository,
      products: productRepository,
      stock,
      transactions,
      prepareEvents: async (accountId) => {
        const to = await orderEvents.recipientOf(accountId);
        return (order, session) => outbox.record(session, [orderEvents.placed(order, to)]);
      },
      idempotencyWindowSeconds: config.orders.idempotencyTtlSeconds,
    }),
    transactions,
    events: orderEvents,
    outbox,
    // Orders and payments need each other: the late-bound closure breaks the cycle.
    settleBeforeCancel: (order) => payments.settleBeforeCancel(order),
    invalidateProducts: (ids) => products.invalidate(ids),
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('order-cursor').digest('base64url'),
  });

  const reviews = buildReviewService(repositories, (ids) => products.invalidate(ids), config.auth.jwtSecret);
  const wishlists = createWishlistService({ wishlists: repositories.wishlists, products: productRepository });

  // Imports write stock in bulk, version-guarded; services/stock gives the alerts each write carries.
  const processImport = createImportProcessor({
    imports: repositories.inventoryImports,
    stock: repositories.variantStock,
    alerts: stock,
    invalidateProducts: (ids) => products.invalidate(ids),
  });
  const importQueue = deps.importQueue ?? createInProcessImportQueue(processImport);
  const inventory = createInventoryService({ imports: repositories.inventoryImports, stock: repositories.variantStock, queue: importQueue });

  // Daily sales reports: built by the worker's scheduler, listed and downloaded by admins.
  const reports = createReportService({
    reports: repositories.reports,
    orders: orderRepository,
    outbox,
    timeZone: config.reports.timeZone,
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('report-cursor').digest('base64url'),
  });
  const { payments, paymentGuard, cart, checkout } = createPayments({ config, repositories, orders, orderEvents, outbox, paymentProvider: deps.paymentProvider });

  const idempotency = createIdempotencyService({
    store: repositories.idempotency,
    ttlSeconds: config.orders.idempotencyTtlSeconds,
    // A claim outlives the request deadline, so an attempt still running is never taken over.
    leaseSeconds: Math.ceil(config.http.requestTimeoutMs / 1000) + 5,
  });

  return {
    tokens,
    passwordHasher,
    accounts,
    refreshTokens,
    accountService,
    principalCache,
    sessions,
    authService,
    passwordReset,
    products,
    categories,
    mediaStorage,
    media,
    orders,
    reviews,
    stock,
    wishlists,
    inventory,
    reports,
    processImport,
    importQueue,
    payments,
    paymentGuard,
    cart,
    checkout,
    idempotency,
    transactions,
    repositories,
    outbox,
    outboxAdmin: createOutboxAdminService({ repository: repositories.outbox, nudge }),
    outboxRelay,
    analytics,
    analyticsQueue,
  };
}
export type Services = ReturnType<typeof createServices>;

/** Everything the API process serves from: the domain plus auth middlewares, health, metrics and the job dashboard. */
export function createContainer(deps: ContainerDeps): Container {
  const { config, redis, emailQueue, mongo } = deps;
  const services = createServices(deps);
  const { tokens, accountService, principalCache } = services;
  const metrics = createMetricsService({ mongo, redis, serviceName: config.serviceName, version: config.version });
  // Queue depth is read on scrape; a queue that cannot be inspected (null) contributes no samples.
  metrics.registerQueueMetrics(async () => (await queueStats(emailQueue)) ?? {});
  metrics.registerOutboxMetrics(() => services.repositories.outbox.counts(new Date()));

  const dashboard =
    config.email.dashboardEnabled && isBullEmailQueue(emailQueue) ? { tickets: createDashboardTickets(config), queues: [emailQueue.queue] } : null;

  return {
    ...services,
    config,
    redis,
    emailQueue,
    // The token proves who signed in; the database says whether they may still act, and as what.
    // Reused for a few seconds per process between the account writes every process is told of.
    auth: createAuthMiddlewares(tokens, (id) => principalCache.get(id, () => accountService.loadPrincipal(id))),
    health: createHealthService({ version: config.version, mongo, redis, isDraining: deps.isDraining }),
    jobAdmin: createJobAdminService(isManagedEmailQueue(emailQueue) ? emailQueue : null, dashboard?.tickets ?? null),
    dashboard,
    metrics,
  };
}
