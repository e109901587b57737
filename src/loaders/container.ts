// Composition root: the one place that binds models to a connection and builds repositories,
// services and middlewares from their collaborators. The API (loaders/index.ts), the worker
// (loaders/worker.ts), seeding and tests all obtain their objects here; nothing else wires objects.
import type Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config';
import { createDashboardTickets } from '../jobs/dashboard';
import { isBullEmailQueue } from '../jobs/email/email.queue';
import { isManagedEmailQueue, type EmailQueue } from '../jobs/email/types';
import { queueStats } from '../jobs/queue-stats';
import { createNudger } from '../jobs/outbox/nudge';
import { createEventPublisher } from '../jobs/outbox/publisher';
import { createEventConfirmer } from '../jobs/outbox/confirm';
import { createBullEventQueue, createInlineEventQueue } from '../jobs/outbox/event-queue';
import { producerConnection } from '../jobs/email/email.queue';
import { createOutboxRelay } from '../jobs/outbox/relay';
import { createInProcessImportQueue, type ImportQueue } from '../jobs/inventory/import.queue';
import { createAuthMiddlewares } from '../middlewares/auth.middleware';
import { categoryModel } from '../models/Category';
import { cartModel } from '../models/Cart';
import { idempotencyKeyModel } from '../models/IdempotencyKey';
import { inventoryImportModels } from '../models/InventoryImport';
import { emailDeliveryModel } from '../models/EmailDelivery';
import { orderModel } from '../models/Order';
import { appliedEventModel, salesRollupModel } from '../models/SalesRollup';
import { createAnalyticsRepository } from '../repositories/analytics.repository';
import { createAnalyticsService } from '../services/analytics/analytics.service';
import { outboxEventModel } from '../models/OutboxEvent';
import { productModel } from '../models/Product';
import { reportModel } from '../models/Report';
import { reviewModel } from '../models/Review';
import { reviewVoteModel } from '../models/ReviewVote';
import { simulatedPaymentIntentModel } from '../models/SimulatedPaymentIntent';
import { webhookEventModel } from '../models/WebhookEvent';
import { wishlistModel } from '../models/Wishlist';
import { createAccountRepository } from '../repositories/account.repository';
import { createCategoryRepository } from '../repositories/category.repository';
import { createCartRepository } from '../repositories/cart.repository';
import { createDeliveryLedger } from '../repositories/delivery.repository';
import { createIdempotencyRepository } from '../repositories/idempotency.repository';
import { createInventoryImportRepository } from '../repositories/inventory/import.repository';
import { createVariantStockRepository } from '../repositories/inventory/variant-stock';
import { createOrderRepository } from '../repositories/order.repository';
import { createMediaStorage, type MediaStorage } from '../repositories/media/media-storage';
import { createProductCategoryRepository } from '../repositories/product-category.repository';
import { createProductImageRepository } from '../repositories/product-image.repository';
import { createOutboxRepository } from '../repositories/outbox.repository';
import { createPaymentRepository } from '../repositories/payments/payment.repository';
import { createSimulatedIntentRepository } from '../repositories/payments/simulated-intent';
import { createWebhookEventRepository } from '../repositories/payments/webhook-event';
import { createProductRepository } from '../repositories/product.repository';
import { createReportRepository } from '../repositories/report.repository';
import { createPurchaseRepository } from '../repositories/reviews/purchases';
import { createRatingRepository } from '../repositories/reviews/ratings';
import { createReviewRepository } from '../repositories/reviews/review.repository';
import { createReviewVoteRepository } from '../repositories/reviews/votes';
import { createStockRepository } from '../repositories/stock.repository';
import { createWishlistRepository } from '../repositories/wishlist.repository';
import { createPasswordResetTokenRepository, createRefreshTokenRepository } from '../repositories/token.repository';
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
import { createPasswordHasher, type PasswordHasher } from '../services/auth/password';
import { createPrincipalCache, invalidatingPrincipals } from '../services/auth/principal-cache';
import { createTotalsCache } from '../services/listing/totals';
import { createOrderEvents } from '../services/orders/events';
import { createOutbox } from '../services/outbox/outbox.service';
import { createOutboxAdminService } from '../services/outbox/outbox-admin';
import { createOrderPlacement } from '../services/orders/placement';
import { createMediaService, type MediaService } from '../services/media/media.service';
import { clearingTotals, createNoopProductCache, createProductCache } from '../services/products/cache';
import type { PaymentProvider } from '../services/payments/provider';
import { createProductService } from '../services/products/product.service';
import { createReportService } from '../services/reports/report.service';
import { createReviewService, type ReviewService } from '../services/reviews/review.service';
import { createStockAlertAudiences } from '../services/stock/audiences';
import { createStockWriter } from '../services/stock/stock.service';
import { createWishlistService } from '../services/wishlists/wishlist.service';
import { createSessionService } from '../services/auth/session';
import { createMetricsService } from '../services/metrics.service';
import { createTokenService } from '../services/auth/token';
import { createTransactionRunner } from '../services/transactions';
import { createOrderService } from '../services/orders/order.service';
import { createPayments } from './payments';

export type { Container } from '../routes/container.types';

/** The BullMQ queue of the analytics consumer (jobs: outbox events, job id = event id). */
export const ANALYTICS_QUEUE_NAME = 'analytics';

/** Every model bound to `mongo`: no model is a process-wide singleton, so a second connection gets its own. */
export function bindModels(mongo: Connection) {
  return {
    Product: productModel(mongo),
    Category: categoryModel(mongo),
    Order: orderModel(mongo),
    IdempotencyKey: idempotencyKeyModel(mongo),
    Cart: cartModel(mongo),
    OutboxEvent: outboxEventModel(mongo),
    EmailDelivery: emailDeliveryModel(mongo),
    Review: reviewModel(mongo),
    ReviewVote: reviewVoteModel(mongo),
    Wishlist: wishlistModel(mongo),
    Report: reportModel(mongo),
    ...inventoryImportModels(mongo),
    WebhookEvent: webhookEventModel(mongo),
    SimulatedPaymentIntent: simulatedPaymentIntentModel(mongo),
    SalesRollup: salesRollupModel(mongo),
    AnalyticsAppliedEvent: appliedEventModel(mongo),
  };
}

/** Every repository over `mongo`. Seeding uses these too, so it writes through the same rules as the API. */
export function createRepositories(mongo: Connection, passwordHasher: PasswordHasher) {
  const models = bindModels(mongo);
  return {
    accounts: createAccountRepository(mongo, passwordHasher.hash),
    refreshTokens: createRefreshTokenRepository(mongo),
    resetTokens: createPasswordResetTokenRepository(mongo),
    products: createProductRepository(models.Product),
    stock: createStockRepository(models.Product),
    wishlists: createWishlistRepository(models.Wishlist),
    productImages: createProductImageRepository(models.Product),
    categories: createCategoryRepository(models.Category),
    productCategories: createProductCategoryRepository(models.Product),
    orders: createOrderRepository(models.Order),
    idempotency: createIdempotencyRepository(models.IdempotencyKey),
    carts: createCartRepository(models.Cart),
    outbox: createOutboxRepository(models.OutboxEvent),
    deliveries: createDeliveryLedger(models.EmailDelivery),
    reviews: createReviewRepository(models.Review),
    reviewVotes: createReviewVoteRepository(models.ReviewVote),
    ratings: createRatingRepository(models.Product),
    purchases: createPurchaseRepository(models.Order),
    inventoryImports: createInventoryImportRepository(models),
    variantStock: createVariantStockRepository(models.Product),
    reports: createReportRepository(models.Report, mongo),
    payments: createPaymentRepository(models.Order),
    webhookEvents: createWebhookEventRepository(models.WebhookEvent),
    simulatedIntents: createSimulatedIntentRepository(models.SimulatedPaymentIntent),
    analytics: createAnalyticsRepository({ rollups: models.SalesRollup, applied: models.AnalyticsAppliedEvent, orders: models.Order, products: models.Product }),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

export type SeedRepositories = Pick<Repositories, 'accounts' | 'products' | 'productImages' | 'categories' | 'productCategories' | 'orders' | 'reviews' | 'reviewVotes' | 'ratings' | 'purchases'>;

/** The repositories seeding and migrations need, for the configured password policy; builds indexes first so unique keys hold. */
export async function createSeedRepositories(mongo: Connection, config: AppConfig): Promise<SeedRepositories> {
  const models = bindModels(mongo);
  await Promise.all([models.Product.init(), models.Category.init(), models.Review.init(), models.ReviewVote.init()]);
  const { accounts, products, productImages, categories, productCategories, orders, reviews, reviewVotes, ratings, purchases } = createRepositories(mongo, createPasswordHasher(config.auth.passwordHash));
  return { accounts, products, productImages, categories, productCategories, orders, reviews, reviewVotes, ratings, purchases };
}

/** The review rules over `repositories`, with product caches dropped through `invalidateProducts`. */
function reviewService(repositories: SeedRepositories, invalidateProducts: (ids: readonly string[]) => Promise<void>, jwtSecret: string): ReviewService {
  return createReviewService({
    reviews: repositories.reviews,
    votes: repositories.reviewVotes,
    ratings: repositories.ratings,
    purchases: repositories.purchases,
    products: repositories.products,
    accounts: repositories.accounts,
    invalidateProducts,
    cursorSecret: createHmac('sha256', jwtSecret).update('review-cursor').digest('base64url'),
  });
}

/** The review service for `npm run seed`: a freshly seeded catalog has nothing cached to drop. */
export function createSeedReviews(repositories: SeedRepositories, config: AppConfig): ReviewService {
  return reviewService(repositories, async () => undefined, config.auth.jwtSecret);
}

/**
 * `npm run reviews:repair`: the repair over `mongo`, dropping the product caches of what it fixed
 * (in Redis when the API caches there).
 */
export async function createReviewRepair(deps: { config: AppConfig; redis: Redis | null; mongo: Connection }): Promise<ReviewService['repair']> {
  const { config, redis, mongo } = deps;
  const repositories = await createSeedRepositories(mongo, config);
  const cache = config.cache.enabled && redis ? createProductCache(redis, { keyPrefix: config.redis.keyPrefix, ttlSeconds: config.cache.ttlSeconds }) : createNoopProductCache();
  return reviewService(repositories, (ids) => cache.invalidate(ids), config.auth.jwtSecret).repair;
}

/**
 * The image service for `npm run seed`, over the configured storage. A freshly seeded catalog has
 * nothing cached yet, so uploads need no cache invalidation (the API's service invalidates).
 */
export function createSeedMedia(repositories: Pick<Repositories, 'productImages'>, config: AppConfig): MediaService {
  return createMediaService({
    images: repositories.productImages,
    storage: createMediaStorage(config.media),
    limits: config.media,
    invalidateProducts: async () => undefined,
  });
}

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
  const outboxRepository = repositories.outbox;
  // A relay publishing to this process's email queue. Not started here: the worker runs its own;
  // the API starts this one only without Redis (development); tests call `runOnce()` to drain.
  // Fan-out events (stock alerts) name an audience; the relay resolves it when it publishes.
  const audiences = createStockAlertAudiences({ wishlists: repositories.wishlists, accounts });
  const analytics = createAnalyticsService({ repository: repositories.analytics, transactions });
  // The analytics consumer's queue: BullMQ (run by the worker) with Redis, else the consumer runs inline.
  const analyticsQueue = redis
    ? createBullEventQueue(config, ANALYTICS_QUEUE_NAME, () => producerConnection(redis))
    : createInlineEventQueue(async (event) => void (await analytics.applyEvent(event)));
  const publish = createEventPublisher({ email: emailQueue, analytics: analyticsQueue, confirm: createEventConfirmer(outboxRepository), audiences });
  const outboxRelay = createOutboxRelay({ repository: outboxRepository, publish, settings: config.outbox });
  // With Redis the relays live in the worker and hear a pub/sub nudge; without, the in-process relay is nudged.
  const nudge = redis ? createNudger(redis, config.redis.keyPrefix) : () => outboxRelay.nudge();
  const outbox = createOutbox({
    repository: outboxRepository,
    transactions,
    nudge,
    // Test-only failpoint (config refuses it outside NODE_ENV=test): die like a SIGKILL after the commit.
    afterCommit: config.outbox.crashAfterCommit ? () => process.kill(process.pid, 'SIGKILL') : undefined,
  });

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

  const reviews = reviewService(repositories, (ids) => products.invalidate(ids), config.auth.jwtSecret);
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
    outboxAdmin: createOutboxAdminService({ repository: outboxRepository, nudge }),
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
