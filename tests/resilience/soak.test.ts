// Soak: bounded mixed traffic (reads, lists, bad input, unknown routes) against the real process,
// then the heap (after a forced GC) and the open handles are compared with their values after a
// warm-up. Growth beyond the bounds below means something is retained per request.
// SOAK_SECONDS (default 20) lengthens the run; the bench's 60 s RSS check complements it.
import autocannon from 'autocannon';
import { buildCatalog } from '../../src/loaders/seed';
import { Product } from '../support/models';
import { createProductRepository } from '../../src/repositories/product.repository';
import { connectTestDatabase, disconnectTestDatabase, uniqueDbName } from '../support/db';
import { pollUntil, startApi, type ApiProcess } from '../support/faults';
import { testKeyPrefix } from '../support/env';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const HEAP_GROWTH_BOUND = 1.25; // ×, plus a small absolute allowance for lazily built caches
const HEAP_SLACK_BYTES = 8 * 1024 * 1024;
const HANDLE_GROWTH_BOUND = 5;
const EXPECTED_STATUSES = new Set(['200', '400', '404']);

interface Stats {
  readonly heapUsed: number;
  readonly handles: number;
}

async function traffic(url: string, paths: readonly string[], seconds: number): Promise<Record<string, number>> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: 10,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (stat as { count: number }).count;
  if (result.errors || result.timeouts) statuses.socketErrors = result.errors + result.timeouts;
  return statuses;
}

describe('resilience: soak', () => {
  const dbName = uniqueDbName('soak');
  let api: ApiProcess;
  let paths: string[];

  beforeAll(async () => {
    await connectTestDatabase(dbName);
    await createProductRepository(Product).insertMany(buildCatalog(300, 5));
    const ids = (await Product.find({}, { _id: 1 }).limit(50).lean()).map((p) => String(p._id));
    paths = [
      '/health',
      ...ids.map((id) => `/api/v1/products/${id}`),
      '/api/v1/products?limit=20&sort=price:desc',
      '/api/v1/products?category=phones&page=2',
      '/api/v1/products?limit=9999', // 400
      '/api/v1/products/not-a-real-product-slug', // 404
      '/api/v1/nowhere', // 404
    ];
    api = await startApi(
      {
        MONGODB_DB_NAME: dbName,
        REDIS_KEY_PREFIX: testKeyPrefix(),
        CACHE_ENABLED: 'true',
        // A small pool, so its growth under load stays inside the handle bound.
        MONGODB_MAX_POOL_SIZE: '4',
      },
      { instrument: true },
    );
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await disconnectTestDatabase();
  });

  async function sample(): Promise<Stats> {
    const isStats = (r: Record<string, unknown>) => r.message === 'process stats';
    const before = api.server.lines.filter(isStats).length;
    api.server.child.kill('SIGUSR2');
    const record = await pollUntil('process stats line', async () => api.server.lines.filter(isStats)[before], 10_000, 50);
    return { heapUsed: Number(record.heapUsed), handles: Number(record.handles) };
  }

  /** Client sockets close a moment after the load stops: sample until the count settles under the bound. */
  async function settledSample(maxHandles: number): Promise<Stats> {
    let stats = await sample();
    for (let attempt = 0; attempt < 10 && stats.handles > maxHandles; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      stats = await sample();
    }
    return stats;
  }

  it(`when ${SOAK_SECONDS} s of mixed traffic have run, then heap and open handles stay within their bounds and no request fails`, async () => {
    const warmup = await traffic(api.url, paths, 5);
    const afterWarmup = await sample();
    const soak = await traffic(api.url, paths, SOAK_SECONDS);
    const afterSoak = await settledSample(afterWarmup.handles + HANDLE_GROWTH_BOUND);

    for (const statuses of [warmup, soak]) expect(Object.keys(statuses).filter((code) => !EXPECTED_STATUSES.has(code))).toEqual([]);
    expect(soak['200']).toBeGreaterThan(100);
    expect(afterSoak.heapUsed).toBeLessThanOrEqual(afterWarmup.heapUsed * HEAP_GROWTH_BOUND + HEAP_SLACK_BYTES);
    expect(afterSoak.handles).toBeLessThanOrEqual(afterWarmup.handles + HANDLE_GROWTH_BOUND);
  }, 120_000);
});
