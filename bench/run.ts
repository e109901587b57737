// `npm run bench`: builds, starts MongoDB (replica set), seeds 10,000 products, starts the compiled
// API twice (cache on / CACHE_ENABLED=false) with production settings and a bare Express baseline,
// measures every scenario, checks RSS over a longer run, and writes bench/results.md.
// BENCH_DURATION (s, default 10, split over BENCH_ROUNDS alternating server/bare rounds, default 3), BENCH_WARMUP (s, default 3), BENCH_LEAK_DURATION (s, default 60, 0 = skip),
// BENCH_REDIS_URL (default redis://127.0.0.1:6379), BENCH_ONLY (scenario keys or key prefixes: `analytics` = every analytics-… one), BENCH_ANALYTICS_ORDERS (default 100,000),
// BENCH_MONGODB_URI (a real MongoDB instead of the in-memory one; database `bench`), BENCH_SKIP_BUILD=1 (reuse dist/ between experiments), BENCH_SERVER_ENV (JSON of extra server variables, for experiments such as {"LOG_LEVEL":"warn"};
// a run with it says so in results.md), BENCH_NODE_FLAGS (extra node flags for the API processes only, e.g.
// "--cpu-prof --cpu-prof-dir=logs/bench/profiles" to profile the server under load).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoMemoryReplSet } from 'mongodb-memory-server';
import { measure, sample, summarize, type LoadSample } from './load';
import { cpuMs, heapAfterGcMiB, HEAP_PROBE_FLAGS, projectRoot, rssMiB, run, startNodeProcess, type Started } from './processes';
import { renderReport, type LeakCheck, type ScenarioRow } from './report';
import { seededNote, seedOrders, timeOne, type OrdersSeeded } from './analytics-orders';
import { SCENARIOS, selectScenarios, type Fixtures, type Scenario, type Target } from './scenarios';
import { startFakeStripe } from '../tests/support/fake-stripe';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const LEAK_DURATION = Number(process.env.BENCH_LEAK_DURATION ?? 60);
const CONNECTIONS = 50;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);
// The API runs with production's V8 flags (prod/node-args.js, PM2's node_args), then any experiment's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { API_NODE_ARGS } = require('../prod/node-args.js') as { API_NODE_ARGS: readonly string[] };
const NODE_FLAGS = [...API_NODE_ARGS, ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])];
const say = (message: string) => process.stdout.write(`${message}\n`);
// One secret for both API processes: a cursor or token issued by one must verify on the other,
// as it would behind a load balancer.
const JWT_SECRET = randomBytes(48).toString('base64url');

function apiEnv(name: string, mongoUri: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PUBLIC_URL: 'https://api.bench.local',
    JWT_SECRET,
    // Production refuses the simulated provider; the benchmark never calls Stripe.
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_bench0123',
    STRIPE_WEBHOOK_SECRET: 'whsec_bench_secret_0123',
    LOG_LEVEL: 'info',
    LOG_TO_FILES: 'true',
    // One sink, as a deployment picks one: the access log goes to logs/bench/<name>/app.log.
    LOG_TO_STDOUT: 'false',
    LOG_PRETTY: 'false',
    LOG_DIR: `logs/bench/${name}`,
    MONGODB_URI: mongoUri,
    MONGODB_DB_NAME: 'bench',
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `bench:${randomBytes(4).toString('hex')}:${name}:`,
    // The limiter still runs (and counts in Redis) on every request; it must not answer 429 to
    // one load generator that is, by design, a single client sending thousands of requests a second.
    RATE_LIMIT_MAX: '1000000000',
    AUTH_RATE_LIMIT_MAX: '1000000000',
    ...overrides,
    ...(JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as Record<string, string>),
  };
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function login(base: string, email: string, password: string): Promise<string> {
  const { status, body } = await json(`${base}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email, password }) });
  if (status !== 200) throw new Error(`login ${email} failed: ${status} ${JSON.stringify(body)}`);
  return ((body.data as Record<string, unknown>).tokens as Record<string, string>).accessToken;
}

/** Orders the demo customer holds, so their orders list is a real page of 10 out of more. */
const CUSTOMER_ORDERS = 30;
/** Where in the fixture page the demo customer's ordered products start (the first five are the contended ones). */
const CUSTOMER_ORDERS_FROM = 20;

async function placeCustomerOrders(base: string, token: string, productIds: readonly string[]): Promise<number> {
  const shippingAddress = { fullName: 'Bench Buyer', line1: '1 Load Street', city: 'Benchville', postalCode: '10001', country: 'US' };
  let placed = 0;
  for (const productId of productIds) {
    // A product with several variants is ordered by one of them (the first with stock).
    const product = (await json(`${base}/api/v1/products/${productId}`)).body.data as { variants?: { id: string; stock: number; active: boolean }[] };
    const variant = product.variants && product.variants.length > 1 ? product.variants.find((v) => v.active && v.stock > 0) : undefined;
    if (product.variants && product.variants.length > 1 && !variant) continue;
    const res = await json(`${base}/api/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ items: [{ productId, ...(variant && { variantId: variant.id }), quantity: 1 }], shippingAddress }),
    });
    if (res.status === 409) continue; // sold out: the next product will do
    if (res.status !== 201) throw new Error(`placing a fixture order failed: ${res.status} ${JSON.stringify(res.body)}`);
    placed += 1;
  }
  return placed;
}

/** Accounts besides the demo ones, so the admin's page of 10 is a full page out of more (a counted one). */
const EXTRA_ACCOUNTS = 30;

/** Registers customers; returns their access tokens (they are the checkout scenario's shoppers). */
async function registerAccounts(base: string, count: number): Promise<string[]> {
  const password = 'Bench-account-2026!';
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const email = `bench-${i}-${randomBytes(3).toString('hex')}@bench.commerce.local`;
    const res = await json(`${base}/api/v1/auth/register`, { method: 'POST', body: JSON.stringify({ firstName: 'Bench', lastName: `Account ${i}`, email, password }) });
    if (res.status !== 201) throw new Error(`registering a fixture account failed: ${res.status} ${JSON.stringify(res.body)}`);
    tokens.push(((res.body.data as Record<string, unknown>).tokens as Record<string, string>).accessToken);
  }
  return tokens;
}

interface ListedProduct {
  readonly id: string;
  readonly variants: readonly { readonly id: string; readonly stock: number; readonly active: boolean }[];
}

/** Variants the checkout scenario buys: active, with stock for a few hundred units, outside the products other scenarios use. */
function checkoutLinesOf(products: readonly ListedProduct[]): { productId: string; variantId: string }[] {
  return products.slice(CUSTOMER_ORDERS_FROM + CUSTOMER_ORDERS).flatMap((p) => p.variants.filter((v) => v.active && v.stock >= 50).map((v) => ({ productId: p.id, variantId: v.id })));
}

async function loadFixtures(base: string): Promise<Fixtures> {
  const page = await json(`${base}/api/v1/products?limit=100&sort=price:asc`);
  const products = page.body.data as ListedProduct[];
  const productIds = products.map((p) => p.id);
  const cursorPaths: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i += 1) {
    const query = `/api/v1/products?pagination=cursor&limit=20&sort=price:desc${cursor ? `&cursor=${cursor}` : ''}`;
    cursorPaths.push(query);
    cursor = ((await json(`${base}${query}`)).body.meta as { nextCursor?: string }).nextCursor;
    if (!cursor) break;
  }
  const customerLogin = { email: 'customer@demo.commerce.local', password: 'Customer-demo-2026!' };
  const adminToken = await login(base, 'admin@demo.commerce.local', 'Admin-demo-2026!');
  const customerToken = await login(base, customerLogin.email, customerLogin.password);
  const probe = await json(`${base}/api/v1/orders`, { headers: { authorization: `Bearer ${adminToken}` } });
  const ordersRoutesPresent = !(probe.status === 404 && probe.body.code === 'ROUTE_NOT_FOUND');
  const shopperTokens = await registerAccounts(base, EXTRA_ACCOUNTS);
  const me = await json(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${customerToken}` } });
  const customerId = (me.body.data as { id: string }).id;
  const customerOrders = ordersRoutesPresent ? await placeCustomerOrders(base, customerToken, productIds.slice(CUSTOMER_ORDERS_FROM, CUSTOMER_ORDERS_FROM + CUSTOMER_ORDERS)) : 0;
  return {
    productIds,
    cursorPaths,
    adminToken,
    customerToken,
    customerLogin,
    contendedProductIds: productIds.slice(0, 5),
    ordersRoutesPresent,
    customerId,
    customerOrders,
    analyticsNow: new Date().toISOString(),
    shopperTokens,
    checkoutLines: checkoutLinesOf(products),
  };
}

async function measureScenario(s: Scenario, f: Fixtures, server: Started, bare: Started | undefined, duration: number): Promise<ScenarioRow> {
  const connections = s.connections ?? CONNECTIONS;
  const spec = {
    url: server.url,
    paths: s.paths(f),
    method: s.method,
    headers: s.headers?.(f),
    body: s.body?.(f),
    sequence: s.sequence?.(f),
    connections,
    designedStatuses: s.designedStatuses,
  };
  say(`→ ${s.title}`);
  const barePath = bare && s.baseline ? { url: bare.url, paths: [`/bare/${s.key}`], connections, durationSeconds: duration / ROUNDS } : undefined;
  if (WARMUP > 0) {
    await measure({ ...spec, durationSeconds: WARMUP });
    if (barePath) await measure({ ...barePath, durationSeconds: WARMUP });
  }
  // Server and bare app alternate in rounds, so a machine that slows down or speeds up during the
  // run (shared cores) moves both alike and their ratio stays honest.
  const rssBefore = rssMiB(server.child.pid);
  const serverSide = { samples: [] as LoadSample[], cpuMs: 0 };
  const bareSide = { samples: [] as LoadSample[], cpuMs: 0 };
  const rounds = barePath ? ROUNDS : 1;
  for (let round = 0; round < rounds; round += 1) {
    let cpu = cpuMs(server.child.pid);
    serverSide.samples.push(await sample({ ...spec, durationSeconds: duration / rounds }));
    serverSide.cpuMs += cpuMs(server.child.pid) - cpu;
    if (!barePath || !bare) continue;
    cpu = cpuMs(bare.child.pid);
    bareSide.samples.push(await sample(barePath));
    bareSide.cpuMs += cpuMs(bare.child.pid) - cpu;
  }
  const rssAfter = rssMiB(server.child.pid);
  const result = summarize(serverSide.samples, spec.designedStatuses);
  const cpuPerRequestUs = (serverSide.cpuMs * 1000) / Math.max(1, result.requests);
  const baseline = barePath ? summarize(bareSide.samples) : undefined;
  const baselineCpuPerRequestUs = baseline ? (bareSide.cpuMs * 1000) / Math.max(1, baseline.requests) : undefined;
  say(
    `  ${result.rps} rps, p99 ${result.p99} ms, errors ${result.errors}, ${Math.round(cpuPerRequestUs)} µs CPU/request` +
      (baseline ? `; bare ${baseline.rps} rps, p99 ${baseline.p99} ms, ${Math.round(baselineCpuPerRequestUs ?? Number.NaN)} µs CPU/request` : ''),
  );
  return { key: s.key, title: s.title, connections, note: s.note, result, baseline, rssBefore, rssAfter, cpuPerRequestUs, baselineCpuPerRequestUs };
}

/** The bodies the real server returns for each baseline scenario's first path, for the bare app to replay. */
async function captureBodies(scenarios: readonly Scenario[], f: Fixtures, servers: Record<Target, Started>): Promise<Record<string, unknown>> {
  const bodies: Record<string, unknown> = {};
  for (const s of scenarios.filter((x) => x.baseline && x.method === 'GET')) {
    bodies[`/bare/${s.key}`] = (await json(`${servers[s.target].url}${s.paths(f)[0]}`, { headers: s.headers?.(f) })).body;
  }
  return bodies;
}

/** Twenty one-second RSS samples at each end of the leak run; their median is the level RSS sat at there. */
const WINDOW_SAMPLES = 20;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function leakCheck(server: Started, f: Fixtures): Promise<LeakCheck> {
  say(`→ leak check: cached product reads for ${LEAK_DURATION} s`);
  const spec = { url: server.url, paths: f.productIds.slice(0, 50).map((id) => `/api/v1/products/${id}`), connections: CONNECTIONS };
  await measure({ ...spec, durationSeconds: Math.max(WARMUP, 10) });
  const rssAfterWarmup = rssMiB(server.child.pid);
  const heapAfterWarmup = await heapAfterGcMiB(server);
  // RSS follows V8's committed heap, which grows and shrinks by tens of MiB between collections
  // whatever the live data, so two single readings can show growth or shrinkage that is neither.
  // Sampled every second, the median of the first and of the last twenty seconds is the level RSS
  // sat at; the heap after a full collection, read at both ends, is what the process kept.
  const rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(rssMiB(server.child.pid)), 1000);
  try {
    const result = await measure({ ...spec, durationSeconds: LEAK_DURATION });
    return {
      durationSeconds: LEAK_DURATION,
      rssAfterWarmup,
      rssAfterRun: rssMiB(server.child.pid),
      heapAfterWarmup,
      heapAfterRun: await heapAfterGcMiB(server),
      rssMedianStart: median(rssSamples.slice(0, WINDOW_SAMPLES)),
      rssMedianEnd: median(rssSamples.slice(-WINDOW_SAMPLES)),
      rssSamples: rssSamples.filter((_, index) => index % 10 === 9),
      result,
    };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  say(`Load average: ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')}`);
  const stoppers: (() => Promise<unknown>)[] = [];
  try {
    if (process.env.BENCH_SKIP_BUILD !== '1') {
      say('Building (npm run build)…');
      await run('npm', ['run', 'build']);
    }
    let mongoUri = process.env.BENCH_MONGODB_URI;
    if (!mongoUri) {
      const replSet = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
      stoppers.push(() => replSet.stop());
      mongoUri = replSet.getUri();
    }
    say('Seeding 10,000 products and the demo accounts…');
    // Demo accounts are hashed at the production argon2id cost, so the login figure is real.
    await run(process.execPath, ['--import', 'tsx', 'bench/seed.ts'], { ...apiEnv('seed', mongoUri), NODE_ENV: 'test', LOG_LEVEL: 'warn', LOG_TO_FILES: 'false', LOG_TO_STDOUT: 'true', PASSWORD_HASH_MEMORY_KIB: '19456', PASSWORD_HASH_TIME_COST: '2' });

    // Checkout creates a PaymentIntent: the real Stripe SDK talks to a local stand-in for api.stripe.com.
    const stripe = await startFakeStripe();
    stoppers.push(() => stripe.close());
    const stripeApi = { STRIPE_API_HOST: '127.0.0.1', STRIPE_API_PORT: String(stripe.port), STRIPE_API_PROTOCOL: 'http' };
    const cached = await startNodeProcess('api-cached', 'dist/server.js', apiEnv('cached', mongoUri, stripeApi), undefined, undefined, [...HEAP_PROBE_FLAGS, ...NODE_FLAGS]);
    stoppers.push(() => cached.stop());
    const uncached = await startNodeProcess('api-uncached', 'dist/server.js', apiEnv('uncached', mongoUri, { ...stripeApi, CACHE_ENABLED: 'false' }), undefined, undefined, NODE_FLAGS);
    stoppers.push(() => uncached.stop());
    const servers: Record<Target, Started> = { cached, uncached };

    let fixtures = await loadFixtures(cached.url);
    let ordersSeeded = 0; // the analytics scenarios top the orders up as they go
    const scenarios = selectScenarios(SCENARIOS, ONLY);
    const bare = await startNodeProcess('bare-express', 'bench/bare-express.cjs', { BARE_BODIES: JSON.stringify(await captureBodies(scenarios, fixtures, servers)) });
    stoppers.push(() => bare.stop());

    const rows: ScenarioRow[] = [];
    for (const s of scenarios) {
      const skipped = s.skipReason?.(fixtures);
      if (skipped) {
        say(`→ ${s.title}: ${skipped}`);
        rows.push({ key: s.key, title: s.title, connections: s.connections ?? CONNECTIONS, skipped, note: s.note });
        continue;
      }
      let seeded: OrdersSeeded | undefined;
      if (s.orders && s.orders > ordersSeeded) {
        seeded = await seedOrders(apiEnv('seed-orders', mongoUri), fixtures.analyticsNow, s.orders, say);
        ordersSeeded = seeded.orders;
        // The seeding can outlast the access token issued with the fixtures.
        fixtures = { ...fixtures, adminToken: await login(cached.url, 'admin@demo.commerce.local', 'Admin-demo-2026!') };
      }
      if (s.orders) say(`  one request alone: ${await timeOne(`${servers[s.target].url}${s.paths(fixtures)[0]}`, s.headers?.(fixtures))}`);
      const row = await measureScenario(s, fixtures, servers[s.target], bare, DURATION);
      rows.push(seeded ? { ...row, note: [row.note, seededNote(seeded)].filter(Boolean).join('; ') } : row);
    }
    const leak = LEAK_DURATION > 0 ? await leakCheck(cached, fixtures) : undefined;

    const settings = ['BENCH_MONGODB_URI', 'BENCH_DURATION', 'BENCH_ROUNDS', 'BENCH_WARMUP', 'BENCH_LEAK_DURATION', 'BENCH_ONLY', 'BENCH_ANALYTICS_ORDERS', 'BENCH_SERVER_ENV', 'BENCH_NODE_FLAGS'].filter((k) => process.env[k]);
    // The database address may carry credentials: only say that one was given.
    const command = `${settings.map((k) => `${k}='${k === 'BENCH_MONGODB_URI' ? '…' : process.env[k]}' `).join('')}npm run bench`;
    const out = path.join(projectRoot, 'bench', 'results.md');
    fs.writeFileSync(out, renderReport({ startedAt, durationSeconds: DURATION, rounds: ROUNDS, rows, leak, command, loadAtStart, nodeArgs: NODE_FLAGS }));
    say(`✓ Wrote ${path.relative(projectRoot, out)}`);
  } finally {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
