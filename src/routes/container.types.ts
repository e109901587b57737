// What the route table and the app are built from: every service, middleware factory and
// resource a route needs. loaders/container.ts builds it; routes import this type from here
// so they never reach up into the loaders.
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { AppConfig } from '../config';
import type { DashboardTickets } from '../jobs/dashboard';
import type { EmailQueue } from '../jobs/email/types';
import type { OutboxRelay } from '../jobs/outbox/relay';
import type { AuthMiddlewares } from '../middlewares/auth.middleware';
import type { AccountRepository } from '../repositories/account.repository';
import type { MediaStorage } from '../repositories/media/media-storage';
import type { RefreshTokenRepository } from '../repositories/token.repository';
import type { PrincipalCache } from '../services/auth/principal-cache';
import type { AccountService } from '../services/account.service';
import type { AnalyticsService } from '../services/analytics/analytics.service';
import type { AuthService } from '../services/auth/auth.service';
import type { CategoryService } from '../services/categories/category.service';
import type { PasswordResetService } from '../services/auth/password-reset';
import type { PasswordHasher } from '../services/auth/password';
import type { SessionService } from '../services/auth/session';
import type { TokenService } from '../services/auth/token';
import type { HealthService } from '../services/health.service';
import type { IdempotencyService } from '../services/idempotency.service';
import type { JobAdminService } from '../services/job-admin.service';
import type { InventoryService } from '../services/inventory/inventory.service';
import type { MediaService } from '../services/media/media.service';
import type { MetricsService } from '../services/metrics.service';
import type { OrderService } from '../services/orders/order.service';
import type { CartService } from '../services/cart/cart.service';
import type { CheckoutService } from '../services/checkout.service';
import type { OutboxAdminService } from '../services/outbox/outbox-admin';
import type { Outbox } from '../services/outbox/outbox.service';
import type { PaymentService } from '../services/payments/payment.service';
import type { ProviderGuard } from '../services/payments/resilience';
import type { ProductService } from '../services/products/product.service';
import type { ReportService } from '../services/reports/report.service';
import type { ReviewService } from '../services/reviews/review.service';
import type { StockWriter } from '../services/stock/stock.service';
import type { WishlistService } from '../services/wishlists/wishlist.service';
import type { TransactionRunner } from '../services/transactions';

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
  /** Per-process principals between the account writes every process hears of. */
  readonly principalCache: PrincipalCache;
  readonly sessions: SessionService;
  readonly authService: AuthService;
  readonly passwordReset: PasswordResetService;
  readonly products: ProductService;
  readonly categories: CategoryService;
  /** Where image files live (local disk or S3); /media serves from it when it is local. */
  readonly mediaStorage: MediaStorage;
  readonly media: MediaService;
  readonly orders: OrderService;
  readonly reviews: ReviewService;
  /** The one stock-write path (`applyStockChange`): every stock change, with its alert events. */
  readonly stock: StockWriter;
  readonly wishlists: WishlistService;
  readonly inventory: InventoryService;
  /** Daily sales reports (built by the worker; listed and downloaded by admins). */
  readonly reports: ReportService;
  readonly payments: PaymentService;
  readonly cart: CartService;
  readonly checkout: CheckoutService;
  /** The payment provider's circuit breaker (readiness and tests read its state). */
  readonly paymentGuard: ProviderGuard;
  /** The one Idempotency-Key store, used by every route that declares `idempotency`. */
  readonly idempotency: IdempotencyService;
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
  /** Sales analytics over the hourly rollups (admin queries; the worker's consumer applies events). */
  readonly analytics: AnalyticsService;
}
