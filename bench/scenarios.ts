// What the benchmark measures. Each scenario names the server it runs against, the paths it
// cycles through (resolved from the seeded data at run time) and what a designed non-2xx is.
// Order scenarios are data-driven: they run only when the orders routes answer, otherwise the
// report says "not run: orders routes absent" rather than inventing a number.
import { randomUUID } from 'node:crypto';
import type { SequenceStep } from './load';

export type Target = 'cached' | 'uncached';

export interface Fixtures {
  readonly productIds: readonly string[];
  /** Cursor query strings for successive pages of the cursor listing. */
  readonly cursorPaths: readonly string[];
  readonly adminToken: string;
  readonly customerToken: string;
  readonly customerLogin: { email: string; password: string };
  /** A few products with little stock, for the contention scenario. */
  readonly contendedProductIds: readonly string[];
  readonly ordersRoutesPresent: boolean;
  /** The demo customer's account id (read by the admin in the account scenarios). */
  readonly customerId: string;
  /** Orders the demo customer holds before the scenarios start (their list is the customer orders scenario). */
  readonly customerOrders: number;
  /** The instant the analytics range ends at (the seeded orders lie in the days before it). */
  readonly analyticsNow: string;
  /** Customers who check out in the checkout scenario (access tokens; more than its connections). */
  readonly shopperTokens: readonly string[];
  /** Product variants with ample stock that those customers buy, one unit at a time. */
  readonly checkoutLines: readonly { readonly productId: string; readonly variantId: string }[];
}

export interface Scenario {
  readonly key: string;
  readonly title: string;
  readonly target: Target;
  readonly method: 'GET' | 'POST';
  paths(f: Fixtures): string[];
  headers?(f: Fixtures): Record<string, string>;
  body?(f: Fixtures): () => string;
  /** Instead of cycling `paths`: the requests each connection runs in turn (`paths` then only names them). */
  sequence?(f: Fixtures): SequenceStep[];
  /** Concurrency; the target p99 is defined at 50. */
  readonly connections?: number;
  readonly designedStatuses?: readonly number[];
  /** Compare with the bare app answering the first path's body from memory. */
  readonly baseline: boolean;
  /** Returns why the scenario cannot run, or null. */
  skipReason?(f: Fixtures): string | null;
  readonly note?: string;
  /** Paid orders the database must hold before this scenario (topped up by bench/seed-orders.ts, rollups rebuilt). */
  readonly orders?: number;
}

/** Keys in BENCH_ONLY select a scenario by its key or a group by its prefix (`analytics` = every `analytics-…`). */
export function selectScenarios(all: readonly Scenario[], only: readonly string[] | undefined): Scenario[] {
  return all.filter((s) => !only?.length || only.some((k) => s.key === k || s.key.startsWith(`${k}-`)));
}

export const EXAMPLE_QUERY = 'search=phone&minPrice=100&maxPrice=500&sort=price:desc&tags=apple,samsung';
/** Orders the analytics scenarios run over (BENCH_ANALYTICS_ORDERS); the first runs at a tenth of them. */
export const ANALYTICS_ORDERS = Number(process.env.BENCH_ANALYTICS_ORDERS ?? 100_000);
export const ANALYTICS_DAYS = 90;
const DAY_MS = 86_400_000;
const count = (n: number) => n.toLocaleString('en-US');

function salesPath(f: Fixtures): string {
  const to = new Date(f.analyticsNow);
  const from = new Date(to.getTime() - ANALYTICS_DAYS * DAY_MS);
  return `/api/v1/analytics/sales?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&interval=day&tz=Europe/Berlin`;
}

/**
 * Concurrent shoppers in the checkout scenario. A customer whose checkout is cut off when a run ends
 * (warm-up, then the measured run) never comes back to the pool, so the fixtures' 30 customers cover
 * two runs of 8 with 14 to spare: no connection ever has to take a customer another one holds.
 */
export const CHECKOUT_CONNECTIONS = 8;

/**
 * A customer adds one unit to the cart, then checks out. A connection takes a customer no other
 * connection holds for the pair (a cart shared between two connections would be checked out under
 * the other's feet) and gives it back when the checkout answers.
 */
function checkoutSequence(f: Fixtures): SequenceStep[] {
  const free = [...f.shopperTokens];
  let line = 0;
  let fallback = 0;
  const shippingAddress = { fullName: 'Bench Shopper', line1: '1 Load Street', city: 'Benchville', postalCode: '10001', country: 'US' };
  const auth = (context: Record<string, unknown>) => ({ authorization: `Bearer ${String(context.token)}` });
  return [
    {
      setup: (context) => {
        // A customer whose checkout never answered (a socket error) is not given back; reuse one then.
        context.token = free.pop() ?? f.shopperTokens[fallback++ % f.shopperTokens.length];
        const { productId, variantId } = f.checkoutLines[line++ % f.checkoutLines.length]!;
        return { method: 'POST', path: '/api/v1/cart/items', headers: auth(context), body: JSON.stringify({ productId, variantId, quantity: 1 }) };
      },
    },
    {
      setup: (context) => ({ method: 'POST', path: '/api/v1/checkout', headers: { ...auth(context), 'idempotency-key': randomUUID() }, body: JSON.stringify({ shippingAddress }) }),
      onResponse: (_status, context) => {
        free.push(String(context.token));
      },
    },
  ];
}

const salesScenario = (key: string, orders: number): Scenario => ({
  key,
  title: `GET /api/v1/analytics/sales (90 days by day, Europe/Berlin; ${count(orders)} orders)`,
  target: 'uncached',
  method: 'GET',
  baseline: false,
  // An admin dashboard, not a storefront: a few concurrent readers.
  connections: 8,
  orders,
  paths: (f) => [salesPath(f)],
  headers: (f) => ({ authorization: `Bearer ${f.adminToken}` }),
  note: `admin; reads the hourly rollups of the range and of the previous 90 days, never orders`,
});

const ordersAbsent = (f: Fixtures) => (f.ordersRoutesPresent ? null : 'not run: orders routes absent');

export const SCENARIOS: readonly Scenario[] = [
  { key: 'health', title: 'GET /health', target: 'cached', method: 'GET', baseline: true, paths: () => ['/health'] },
  {
    key: 'product-cached',
    title: 'GET /api/v1/products/:id (cache hit)',
    target: 'cached',
    method: 'GET',
    baseline: true,
    paths: (f) => [`/api/v1/products/${f.productIds[0]}`],
    note: 'one hot id, warmed before measuring',
  },
  {
    key: 'product-uncached',
    title: 'GET /api/v1/products/:id (CACHE_ENABLED=false)',
    target: 'uncached',
    method: 'GET',
    baseline: true,
    paths: (f) => f.productIds.slice(0, 200).map((id) => `/api/v1/products/${id}`),
    note: '200 ids in rotation, every read goes to MongoDB',
  },
  {
    key: 'list-example',
    title: `GET /api/v1/products?${EXAMPLE_QUERY} (page 1)`,
    target: 'uncached',
    method: 'GET',
    baseline: true,
    paths: () => [`/api/v1/products?${EXAMPLE_QUERY}`],
    note: 'uncached server: the query engine and MongoDB on every request',
  },
  {
    key: 'list-deep',
    title: 'GET /api/v1/products?page=400&limit=20 (deep offset)',
    target: 'uncached',
    method: 'GET',
    baseline: true,
    paths: () => ['/api/v1/products?page=400&limit=20&sort=price:desc'],
    note: 'skips 7,980 index entries per request',
  },
  {
    key: 'list-cursor',
    title: 'GET /api/v1/products?pagination=cursor (successive pages)',
    target: 'uncached',
    method: 'GET',
    baseline: true,
    paths: (f) => f.cursorPaths.slice(),
    note: 'cycles through the first 50 keyset pages',
  },
  {
    key: 'orders-admin',
    title: 'GET /api/v1/orders?status=paid (admin)',
    target: 'uncached',
    method: 'GET',
    baseline: true,
    paths: () => ['/api/v1/orders?status=paid&limit=20'],
    headers: (f) => ({ authorization: `Bearer ${f.adminToken}` }),
    skipReason: ordersAbsent,
  },
  {
    key: 'account-get',
    title: 'GET /api/v1/accounts/:id (admin)',
    target: 'uncached',
    method: 'GET',
    baseline: true,
    paths: (f) => [`/api/v1/accounts/${f.customerId}`],
    headers: (f) => ({ authorization: `Bearer ${f.adminToken}` }),
    note: 'JWT verify, the principal, one account read',
  },
  {
    key: 'accounts-list',
    title: 'GET /api/v1/accounts?limit=10 (admin)',
    target: 'uncached',
    method: 'GET',
    baseline: true,
    paths: () => ['/api/v1/accounts?limit=10'],
    headers: (f) => ({ authorization: `Bearer ${f.adminToken}` }),
    note: 'a full offset page of 10 out of 33 accounts (30 registered by the fixtures), so its total is counted',
  },
  {
    key: 'orders-customer',
    title: 'GET /api/v1/orders?limit=10 (customer with orders)',
    target: 'uncached',
    method: 'GET',
    baseline: true,
    paths: () => ['/api/v1/orders?limit=10'],
    headers: (f) => ({ authorization: `Bearer ${f.customerToken}` }),
    skipReason: ordersAbsent,
    note: 'the demo customer\'s own orders (placed by the fixtures), an offset page of 10 with its total',
  },
  {
    key: 'orders-contention',
    title: 'POST /api/v1/orders (5 low-stock products)',
    target: 'uncached',
    method: 'POST',
    baseline: false,
    designedStatuses: [409],
    paths: () => ['/api/v1/orders'],
    headers: (f) => ({ authorization: `Bearer ${f.customerToken}` }),
    body: (f) => {
      let n = 0;
      const shippingAddress = { fullName: 'Bench Buyer', line1: '1 Load Street', city: 'Benchville', postalCode: '10001', country: 'US' };
      return () => JSON.stringify({ items: [{ productId: f.contendedProductIds[n++ % f.contendedProductIds.length], quantity: 1 }], shippingAddress });
    },
    skipReason: ordersAbsent,
    note: '5 products, 1 unit per order: 409 INSUFFICIENT_STOCK is the designed answer once their stock runs out',
  },
  {
    key: 'checkout',
    title: `POST /api/v1/cart/items + POST /api/v1/checkout (1 item, ${CHECKOUT_CONNECTIONS} customers at once)`,
    target: 'uncached',
    method: 'POST',
    baseline: false,
    connections: CHECKOUT_CONNECTIONS,
    designedStatuses: [409],
    paths: () => ['/api/v1/cart/items', '/api/v1/checkout'],
    sequence: checkoutSequence,
    skipReason: ordersAbsent,
    note:
      'each connection is a customer who puts one unit of a product in the cart, then checks the cart out (Idempotency-Key): an order awaiting payment, its stock reserved, ' +
      'and a PaymentIntent created at a local stand-in for the Stripe API (in the load generator\'s process); half the requests are checkouts; 409 is designed (stock or a cart changing under a checkout)',
  },
  // O(days), not O(orders): the same request over a tenth of the orders and over all of them.
  salesScenario('analytics-sales-tenth', Math.round(ANALYTICS_ORDERS / 10)),
  salesScenario('analytics-sales', ANALYTICS_ORDERS),
  {
    key: 'analytics-top-products',
    title: `GET /api/v1/analytics/top-products (90 days; ${count(ANALYTICS_ORDERS)} orders)`,
    target: 'uncached',
    method: 'GET',
    baseline: false,
    connections: 8,
    orders: ANALYTICS_ORDERS,
    paths: (f) => [salesPath(f).replace('/sales?', '/top-products?').replace('&interval=day', '') + '&limit=10'],
    headers: (f) => ({ authorization: `Bearer ${f.adminToken}` }),
    note: 'admin; sums the per-product figures of the range\'s whole weeks and days (span rollups) and its edge hours (hourly rollups), then names the top 10',
  },
  {
    key: 'login',
    title: 'POST /api/v1/auth/login (argon2id, production cost)',
    target: 'uncached',
    method: 'POST',
    baseline: false,
    connections: 8,
    paths: () => ['/api/v1/auth/login'],
    body: (f) => () => JSON.stringify(f.customerLogin),
    note: 'bounded by password hashing (19 MiB, t=2), reported separately',
  },
];
