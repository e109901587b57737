// The data side of the composition root: every model bound to a connection, and every repository
// over those models. The API, the worker, seeding, migrations and tests all get their repositories here.
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config';
import { categoryModel } from '../models/Category';
import { cartModel } from '../models/Cart';
import { idempotencyKeyModel } from '../models/IdempotencyKey';
import { inventoryImportModels } from '../models/InventoryImport';
import { emailDeliveryModel } from '../models/EmailDelivery';
import { orderModel } from '../models/Order';
import { appliedEventModel, salesRollupModel, salesSpanRollupModel } from '../models/SalesRollup';
import { outboxEventModel } from '../models/OutboxEvent';
import { productModel } from '../models/Product';
import { reportModel } from '../models/Report';
import { reviewModel } from '../models/Review';
import { reviewVoteModel } from '../models/ReviewVote';
import { simulatedPaymentIntentModel } from '../models/SimulatedPaymentIntent';
import { webhookEventModel } from '../models/WebhookEvent';
import { wishlistModel } from '../models/Wishlist';
import { createAccountRepository } from '../repositories/account.repository';
import { createAnalyticsRepository } from '../repositories/analytics.repository';
import { createCategoryRepository } from '../repositories/category.repository';
import { createCartRepository } from '../repositories/cart.repository';
import { createDeliveryLedger } from '../repositories/delivery.repository';
import { createIdempotencyRepository } from '../repositories/idempotency.repository';
import { createInventoryImportRepository } from '../repositories/inventory/import.repository';
import { createVariantStockRepository } from '../repositories/inventory/variant-stock';
import { createOrderRepository } from '../repositories/order.repository';
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
import { createPasswordHasher, type PasswordHasher } from '../services/auth/password';

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
    SalesSpanRollup: salesSpanRollupModel(mongo),
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
    analytics: createAnalyticsRepository({ rollups: models.SalesRollup, spans: models.SalesSpanRollup, applied: models.AnalyticsAppliedEvent, orders: models.Order, products: models.Product }),
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
