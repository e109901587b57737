// Bulk inventory at size: a 50k-variant export and a 100k-row import, each with bounded heap growth
// (sampled with process.memoryUsage while the work runs; no gc needed, the bound is generous
// against holding the catalog or the file's rows, which would be hundreds of MB of objects).
import request from 'supertest';
import { Product } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { insertCatalog, skuPrefix, type FixtureVariant } from './inventory.fixture';

useTestDatabase();
jest.setTimeout(330_000);

const MB = 1024 * 1024;
const HEAP_BOUND = 50 * MB;

function catalog(prefix: string, products: number, perProduct: number): FixtureVariant[][] {
  const sizes = ['XS', 'S', 'M', 'L', 'XL', 'XXL', 'XXXL', '4XL', '5XL', '6XL'];
  return Array.from({ length: products }, (_, p) => Array.from({ length: perProduct }, (_, v) => ({ sku: `${prefix}-${p}-${v}`, stock: 5, size: sizes[v] })));
}

describe('bulk inventory at size', () => {
  let ctx: TestContext;
  let manager: TestCaller;

  beforeAll(async () => {
    ctx = await createTestContext();
    manager = await callerWithRole(ctx, 'manager');
  });
  afterAll(async () => ctx.close());
  afterEach(async () => Product.deleteMany({}));

  it('GET /api/v1/inventory/export.csv: when the catalog has 50k variants, then every one is streamed with bounded heap', async () => {
    const px = skuPrefix('EXP');
    await insertCatalog(catalog(px, 10_000, 5));
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let rows = 0;
    let first = '';
    const res = await request(ctx.app)
      .get('/api/v1/inventory/export.csv')
      .set(manager.headers)
      .buffer(false)
      .parse((stream, done) => {
        let tail = '';
        stream.on('data', (chunk: Buffer) => {
          const text = tail + chunk.toString('utf8');
          const lines = text.split('\n');
          tail = lines.pop() ?? '';
          if (!first) first = lines[0] ?? '';
          rows += lines.length;
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        });
        stream.on('end', () => done(null, null));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(first).toBe('sku,productId,variantId,product,options,stock,price,currency,active');
    expect(rows).toBe(50_000 + 1);
    expect(peak - before).toBeLessThan(HEAP_BOUND);
  });

  it('POST /api/v1/inventory/imports: when a file has 100k rows, then all are applied in batches with bounded heap', async () => {
    const px = skuPrefix('BIG');
    await insertCatalog(catalog(px, 10_000, 10));
    const lines = ['sku,delta'];
    for (let p = 0; p < 10_000; p += 1) for (let v = 0; v < 10; v += 1) lines.push(`${px}-${p}-${v},${(p + v) % 3}`);
    const file = Buffer.from(`${lines.join('\n')}\n`);
    lines.length = 0;

    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const res = await request(ctx.app).post('/api/v1/inventory/imports').set(manager.headers).attach('file', file, { filename: 'big.csv', contentType: 'text/csv' });
    expectSuccess(res, 202);
    expect(res.body.data.rows.total).toBe(100_000);
    const until = Date.now() + 280_000;
    let body: undefined | { status: string; applied: number; rejected: number; rows: { done: number } };
    const started = Date.now();
    for (;;) {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      if (Date.now() > until) break;
      const poll = await request(ctx.app).get(`/api/v1/inventory/imports/${res.body.data.id}`).set(manager.headers);
      // The import shares this process and database with the test: a poll may time out while a batch writes.
      if (poll.status !== 503) {
        expectSuccess(poll);
        body = poll.body.data;
        if (body!.status === 'done' || body!.status === 'failed') break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    console.log('100k import took', Date.now() - started, 'ms; heap growth', Math.round((peak - before) / MB), 'MB');
    expect(body!).toMatchObject({ status: 'done', applied: 100_000, rejected: 0, rows: { done: 100_000 } });
    expect(peak - before).toBeLessThan(HEAP_BOUND);
    const sample = (await Product.findOne({ 'variants.sku': `${px}-1-1` }).lean()) as unknown as { stock: number; version: number; variants: { stock: number }[] };
    expect(sample.variants.map((v) => v.stock)).toEqual([6, 7, 5, 6, 7, 5, 6, 7, 5, 6]);
    expect(sample.stock).toBe(60);
    expect(sample.version).toBe(2);
  });
});
