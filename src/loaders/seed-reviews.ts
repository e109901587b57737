// Demo reviews for a freshly seeded catalog: the demo customer receives one order of the two
// newest active products (the ones with demo images) and reviews both through the review rules
// (verified buyer, aggregates). Then every product's ratings are recounted from the reviews, so the
// generated catalog's invented ratings give way to what its reviews say.
import { Types } from 'mongoose';
import type { OrderRecord, OrderRepository } from '../repositories/order.repository';
import type { ProductRecord, ProductRepository } from '../repositories/product.repository';
import type { AccountRepository } from '../repositories/account.repository';
import type { ReviewRepository } from '../repositories/reviews/review.repository';
import { DEMO_ACCOUNTS } from '../services/account.seed';
import type { ReviewInput, ReviewService } from '../services/reviews/review.service';
import { logger } from '../utils/logger';
import type { OrderStatus } from '../models/Order';

const DEMO_REVIEWS: readonly ReviewInput[] = [
  { rating: 5, title: 'Exactly as described', body: 'Arrived well packed and works perfectly. Would buy again.' },
  { rating: 4, title: 'Good value', body: 'Does the job well; the finish could be a little nicer for the price.' },
];

const ADDRESS = { fullName: 'Cleo Customer', line1: '1 Demo Street', city: 'London', postalCode: 'EC1A 1BB', country: 'GB' };

export interface DemoReviewDeps {
  readonly reviews: ReviewService;
  readonly repositories: {
    readonly accounts: Pick<AccountRepository, 'findByEmailWithPassword'>;
    readonly products: Pick<ProductRepository, 'findPage'>;
    readonly orders: Pick<OrderRepository, 'create' | 'transition'>;
    readonly reviews: Pick<ReviewRepository, 'existsByAccount'>;
  };
}

/** A delivered order, moved through the real lifecycle states so its history reads like one. */
async function deliveredOrder(orders: DemoReviewDeps['repositories']['orders'], accountId: string, products: readonly ProductRecord[]): Promise<OrderRecord> {
  const by = new Types.ObjectId(accountId);
  let order = await orders.create({
    _id: new Types.ObjectId(),
    account: accountId,
    // The first variant of each product (a demo order: stock is not taken).
    items: products.map((p) => {
      const variant = p.variants[0]!;
      return { product: p._id.toString(), variant: variant._id.toString(), name: p.name, sku: variant.sku, optionValues: variant.optionValues.map(({ name, value }) => ({ name, value })), unitPriceMinor: variant.priceMinor ?? p.priceMinor, quantity: 1 };
    }),
    currency: products[0]!.currency,
    shippingAddress: ADDRESS,
    statusHistory: [{ status: 'pending', at: new Date(), by }],
  });
  const steps: [OrderStatus, OrderStatus][] = [['pending', 'paid'], ['paid', 'shipped'], ['shipped', 'delivered']];
  for (const [from, to] of steps) {
    const next = await orders.transition(order._id.toString(), { from: [from], to, expectedVersion: order.version, change: { status: to, at: new Date(), by: null } });
    if (!next) throw new Error(`demo order could not move from ${from} to ${to}`);
    order = next;
  }
  return order;
}

/** Returns how many reviews were written (0 when the demo customer has reviews already). */
export async function seedDemoReviews(deps: DemoReviewDeps): Promise<number> {
  const demo = DEMO_ACCOUNTS.find((a) => a.role === 'customer');
  const customer = demo ? await deps.repositories.accounts.findByEmailWithPassword(demo.email) : null;
  if (!customer || (await deps.repositories.reviews.existsByAccount(customer.id))) return 0;
  const products = await deps.repositories.products.findPage({
    filter: { deletedAt: null, status: 'active' },
    sort: { createdAt: -1, _id: -1 },
    projection: null,
    skip: 0,
    limit: DEMO_REVIEWS.length,
  });
  if (products.length < DEMO_REVIEWS.length) return 0;
  await deliveredOrder(deps.repositories.orders, customer.id, products);
  const viewer = { id: customer.id, isStaff: false };
  for (const [i, product] of products.entries()) await deps.reviews.create(product._id.toString(), DEMO_REVIEWS[i]!, viewer);
  const report = await deps.reviews.repair();
  logger.info('✓ Seeded demo reviews', { reviews: DEMO_REVIEWS.length, ratingsRecounted: report.products.fixed });
  return DEMO_REVIEWS.length;
}
