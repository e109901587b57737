// Bulk inventory at the sizes the back-office issue names, with the heap watched: a 100k-row import
// file and an export of 100k variants must run in memory that does not grow with the file or the
// catalog (streamed parse, 1000-row batches, keyset pages). Run by `npm run test:bulk` (in .ci/run),
// not by `npm test`: arranging 20k products and writing 100k rows takes minutes on the test server.
import request from 'supertest';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { useTestDatabase } from '../support/db';
import { insertCatalog, skuPrefix } from '../integration/inventory.fixture';
import { Product } from '../support/models';

useTestDatabase();

const PRODUCTS = 20_000;
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];
// Live-heap growth allowed over the baseline. Holding the file's rows and their products at once
// (what a non-streaming import or export does) takes several hundred MB at this size; the import
// keeps one thing per row on purpose: the SKUs seen so far (duplicate rows), ~10 MB at 100k rows.
const HEAP_BOUND_MB = 64;

/**
 * Runs `work` while sampling the live heap (after a forced collection, so garbage does not count);
 * returns its result and the peak growth over the baseline in MB. Needs `node --expose-gc`.
 */
async function withHeapWatch<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const gc = global.gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run test:bulk)');
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sample = () => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 250);
  try {
    const result = await work();
    return { result, growthMb: (peak - baseline) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

describe('bulk inventory at 100k variants', () => {
  let ctx: TestContext;
  let manager: TestCaller;
  const px = skuPrefix('BULK');
  const sku = (p: number, s: number) => `${px}-${p}-${SIZES[s]}`;

  beforeAll(async () => {
    ctx = await createTestContext();
    manager = await callerWithRole(ctx, 'manager');
    await insertCatalog(Array.from({ length: PRODUCTS }, (_, p) => SIZES.map((size, s) => ({ sku: sku(p, s), size, stock: 10 }))));
  }, 300_000);
  afterAll(async () => ctx.close());

  it('when a 100k-row delta file is imported, then every row applies, bad rows are reported by line, and the heap stays bounded', async () => {
    const lines = ['sku,delta'];
    for (let p = 0; p < PRODUCTS; p += 1) for (let s = 0; s < SIZES.length; s += 1) lines.push(`${sku(p, s)},${(p + s) % 7}`);
    lines[5001] = `${px}-NOPE,3`; // unknown SKU on line 5002
    lines[70001] = `${sku(1, 0)},x`; // not a number on line 70002
    const file = Buffer.from(`${lines.join('\n')}\n`);
    expect(lines.length - 1).toBe(100_000);

    const { result: done, growthMb } = await withHeapWatch(async () => {
      const res = await request(ctx.app).post('/api/v1/inventory/imports').set(manager.headers).attach('file', file, { filename: 'bulk.csv', contentType: 'text/csv' });
      expect(res.status).toBe(202);
      const until = Date.now() + 20 * 60_000;
      for (;;) {
        const progress = await request(ctx.app).get(`/api/v1/inventory/imports/${res.body.data.id}`).set(manager.headers);
        expect(progress.status).toBe(200);
        if (progress.body.data.status === 'done' || progress.body.data.status === 'failed') return progress.body.data;
        if (Date.now() > until) throw new Error(`import still ${progress.body.data.status}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
    expect(done).toMatchObject({ status: 'done', rows: { total: 100_000, done: 100_000 }, applied: 99_998, rejected: 2 });
    expect(done.rejections.map((r: { line: number }) => r.line)).toEqual([5002, 70002]);
    // Spot checks across the file: the delta landed once on each variant.
    for (const p of [0, 999, 10_000, PRODUCTS - 1]) {
      const product = (await Product.findOne({ 'variants.sku': sku(p, 2) }).lean()) as unknown as { variants: { sku: string; stock: number }[] };
      expect(product.variants.find((v) => v.sku === sku(p, 2))!.stock).toBe(10 + ((p + 2) % 7));
    }
    expect(growthMb).toBeLessThan(HEAP_BOUND_MB);
    console.log(`bulk import: 100k rows, heap growth ${growthMb.toFixed(1)} MB`);
  }, 25 * 60_000);

  it('when 100k variants are exported, then every variant is one CSV row, streamed with the heap bounded', async () => {
    const { result: rows, growthMb } = await withHeapWatch(
      () =>
        new Promise<number>((resolve, reject) => {
          let count = 0;
          request(ctx.app)
            .get('/api/v1/inventory/export.csv')
            .set(manager.headers)
            .buffer(false)
            .parse((res, done) => {
              expect(res.statusCode).toBe(200);
              // Count lines as they arrive; keep nothing.
              res.on('data', (chunk: Buffer) => {
                for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count += 1;
              });
              res.on('end', () => done(null, null));
            })
            .end((err) => (err ? reject(err) : resolve(count)));
        }),
    );
    // Header + one row per variant (earlier tests' products live in other databases).
    expect(rows).toBe(1 + PRODUCTS * SIZES.length);
    expect(growthMb).toBeLessThan(HEAP_BOUND_MB);
    console.log(`bulk export: ${rows - 1} rows, heap growth ${growthMb.toFixed(1)} MB`);
  }, 10 * 60_000);
});
