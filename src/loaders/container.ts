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
import { createAuthMiddlewares, type AuthMiddlewares } from '../middlewares/auth.middleware';
import { IdempotencyKey } from '../models/IdempotencyKey';
import { Order } from '../models/Order';
import { Product } from '../models/Product';
import { SimulatedPaymentIntent } from '../models/SimulatedPaymentIntent';
import { WebhookEvent } from '../models/WebhookEvent';
import { createAccountRepository, type AccountRepository } from '../repositories/account.repository';
import { createIdempotencyRepository } from '../repositories/idempotency.repository';
import { createOrderRepository } from '../repositories/order.repository';
import { createPaymentRepository } from '../repositories/payments/payment.repository';
import { createSimulatedIntentRepository } from '../repositories/payments/simulated-intent';
import { createWebhookEventRepository } from '../repositories/payments/webhook-event';
import { createProductRepository } from '../repositories/product.repository';
import { createPasswordResetTokenRepository, createRefreshTokenRepository, type RefreshTokenRepository } from '../repositories/token.repository';
import { createAccountService, type AccountService } from '../services/account.service';
import { createAuthService, type AuthService } from '../services/auth/auth.service';
import { createHealthService, type HealthService } from '../services/health.service';
import { createJobAdminService, type JobAdminService } from '../services/job-admin.service';
import { createPasswordResetService, type PasswordResetService } from '../services/auth/password-reset';
import { createPasswordHasher, type PasswordHasher } from '../services/auth/password';
import { createOrderEventPublisher } from '../services/orders/events';
import { createOrderNotifier } from '../services/orders/notifier';
import { createOrderPlacement } from '../services/orders/placement';
import { createOrderService, type OrderService } from '../services/orders/order.service';
import { createNoopProductCache, createProductCache } from '../services/products/cache';
import { createPaymentService, type PaymentService } from '../services/payments/payment.service';
import type { PaymentProvider } from '../services/payments/provider';
import { createProviderGuard, type ProviderGuard } from '../services/payments/resilience';
import { createSimulatedProvider, httpWebhookDelivery, type SimulatedProvider } from '../services/payments/simulated-provider';
import { createStripeProvider } from '../services/payments/stripe-provider';
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
  /** Replaces the configured payment provider (tests: a failing provider for the breaker). */
  readonly paymentProvider?: PaymentProvider;
}

/** The configured provider; `simulated` is the unguarded instance behind it, for the dev confirm step. */
function buildPaymentProvider(config: AppConfig): { provider: PaymentProvider; simulated: SimulatedProvider | null } {
  const p = config.payments;
  if (p.provider === 'stripe') {
    const { secretKey, host, port, protocol } = p.stripe;
    // Config validation requires the key whenever the provider is stripe.
    return { provider: createStripeProvider({ secretKey: secretKey!, webhookSecret: p.webhookSecret, webhookToleranceSeconds: p.webhookToleranceSeconds, timeoutMs: p.timeoutMs, host, port, protocol }), simulated: null };
  }
  const simulated = createSimulatedProvider({
    intents: createSimulatedIntentRepository(SimulatedPaymentIntent),
    webhookSecret: p.webhookSecret,
    webhookToleranceSeconds: p.webhookToleranceSeconds,
    deliver: httpWebhookDelivery(p.simulatedWebhookUrl, p.timeoutMs),
  });
  return { provider: simulated, simulated };
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
  readonly payments: PaymentService;
  /** The payment provider's circuit breaker (readiness and tests read its state). */
  readonly paymentGuard: ProviderGuard;
  readonly transactions: TransactionRunner;
  readonly jobAdmin: JobAdminService;
  /** Bull-board's inputs; null when disabled by config or without a BullMQ queue. */
  readonly dashboard: { readonly tickets: DashboardTickets; readonly queues: readonly Queue[] } | null;
  readonly metrics: MetricsService;
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
    emailQueue,
    policy: { maxFailedLogins: config.auth.maxFailedLogins, lockoutSeconds: config.auth.lockoutSeconds },
  });
  const passwordReset = createPasswordResetService({ accounts, resetTokens, sessions, emailQueue, ttlSeconds: config.auth.passwordResetTtlSeconds });

  const productCache =
    config.cache.enabled && redis ? createProductCache(redis, { keyPrefix: config.redis.keyPrefix, ttlSeconds: config.cache.ttlSeconds }) : createNoopProductCache();
  const productRepository = createProductRepository(Product);
  const products = createProductService({
    repository: productRepository,
    cache: productCache,
    // A key of its own derived from the JWT secret: cursors can be verified, never forged or reused as tokens.
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('product-cursor').digest('base64url'),
  });

  const transactions = createTransactionRunner(mongo);
  const orderRepository = createOrderRepository(Order);
  // Soft-deleted or unknown accounts get no order email.
  const notifier = createOrderNotifier(emailQueue, async (id) => (await accounts.findById(id))?.email ?? null);
  const publish = createOrderEventPublisher(notifier);
  const orders = createOrderService({
    orders: orderRepository,
    products: productRepository,
    placement: createOrderPlacement({ orders: orderRepository, products: productRepository, transactions }),
    idempotency: createIdempotencyRepository(IdempotencyKey),
    transactions,
    notifier,
    publish,
    // Orders and payments need each other: the late-bound closure breaks the cycle.
    settleBeforeCancel: (order) => payments.settleBeforeCancel(order),
    invalidateProducts: (ids) => products.invalidate(ids),
    idempotencyTtlSeconds: config.orders.idempotencyTtlSeconds,
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('order-cursor').digest('base64url'),
  });

  const paymentGuard = createProviderGuard(config.payments);
  const built = deps.paymentProvider ? { provider: deps.paymentProvider, simulated: null } : buildPaymentProvider(config);
  const payments = createPaymentService({
    provider: paymentGuard.wrap(built.provider),
    guard: paymentGuard,
    simulated: built.simulated,
    orders: orderRepository,
    payments: createPaymentRepository(Order),
    webhookEvents: createWebhookEventRepository(WebhookEvent),
    publish,
    cancelUnpaid: (id, reason, options) => orders.cancelUnpaid(id, reason, options),
  });

  const metrics = createMetricsService({ mongo, redis, serviceName: config.serviceName, version: config.version });
  // Queue depth is read on scrape; a queue that cannot be inspected (null) contributes no samples.
  metrics.registerQueueMetrics(async () => (await queueStats(emailQueue)) ?? {});

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
    payments,
    paymentGuard,
    transactions,
    jobAdmin: createJobAdminService(isManagedEmailQueue(emailQueue) ? emailQueue : null, dashboard?.tickets ?? null),
    dashboard,
    metrics,
  };
}
