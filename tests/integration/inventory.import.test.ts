// Bulk inventory import over HTTP: upload a CSV, the import runs (in-process without Redis, the
// same processor the worker runs), progress and the error report, idempotent re-upload, roles.
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import { inventoryImportModels } from '../../src/models/InventoryImport';
import { createInventoryImportRepository } from '../../src/repositories/inventory/import.repository';
import { createVariantStockRepository } from '../../src/repositories/inventory/variant-stock';
import { createImportProcessor } from '../../src/services/inventory/import-processor';
import { OutboxEvent, Product } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { insertCatalog, skuPrefix } from './inventory.fixture';

useTestDatabase();

interface ImportBody {
  id: string;
  status: string;
  mode: string;
  rows: { total: number; done: number };
  applied: number;
  rejected: number;
  rejections: { line: number; sku: string; reason: string }[];
  errorsUrl: string;
}

describe('POST /api/v1/inventory/imports', () => {
  let ctx: TestContext;
  let manager: TestCaller;
  let customer: TestCaller;

  beforeAll(async () => {
    ctx = await createTestContext();
    manager = await callerWithRole(ctx, 'manager');
    customer = await callerWithRole(ctx, 'customer');
  });
  afterAll(async () => ctx.close());

  const upload = (csv: string, caller = manager, name = 'stock.csv') =>
    request(ctx.app).post('/api/v1/inventory/imports').set(caller.headers).attach('file', Buffer.from(csv), { filename: name, contentType: 'text/csv' });

  async function finished(id: string, deadlineMs = 60_000): Promise<ImportBody> {
    const until = Date.now() + deadlineMs;
    for (;;) {
      const res = await request(ctx.app).get(`/api/v1/inventory/imports/${id}`).set(manager.headers);
      expectSuccess(res);
      if (res.body.data.status === 'done' || res.body.data.status === 'failed') return res.body.data;
      if (Date.now() > until) throw new Error(`import ${id} still ${res.body.data.status}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async function variantStock(sku: string): Promise<{ stock: number; productStock: number; version: number }> {
    const p = (await Product.findOne({ 'variants.sku': sku }).lean()) as unknown as { stock: number; version: number; variants: { sku: string; stock: number }[] };
    return { stock: p.variants.find((v) => v.sku === sku)!.stock, productStock: p.stock, version: p.version };
  }

  it('when a sku,stock file is uploaded, then counts are set absolutely, the product sum follows and its version goes up', async () => {
    const px = skuPrefix('ABS');
    await insertCatalog([[{ sku: `${px}-S`, stock: 3, size: 'S' }, { sku: `${px}-M`, stock: 4, size: 'M' }]]);
    const res = await upload(`sku,stock\n${px}-S,10\n${px}-m,0\n`);
    expectSuccess(res, 202);
    expect(res.headers.location).toBe(`/api/v1/inventory/imports/${res.body.data.id}`);
    expect(res.body.data).toMatchObject({ mode: 'stock', rows: { total: 2 } });
    const done = await finished(res.body.data.id);
    expect(done).toMatchObject({ status: 'done', rows: { total: 2, done: 2 }, applied: 2, rejected: 0 });
    expect(await variantStock(`${px}-S`)).toEqual({ stock: 10, productStock: 10, version: 2 });
    expect((await variantStock(`${px}-M`)).stock).toBe(0);
  });

  it('when a sku,delta file is uploaded, then changes add up and a change below zero is rejected with its line', async () => {
    const px = skuPrefix('DELTA');
    await insertCatalog([[{ sku: `${px}-A`, stock: 5 }], [{ sku: `${px}-B`, stock: 2 }]]);
    const res = await upload(`sku,delta\n${px}-A,+7\n${px}-B,-3\n`);
    expectSuccess(res, 202);
    const done = await finished(res.body.data.id);
    expect(done).toMatchObject({ status: 'done', applied: 1, rejected: 1 });
    expect(done.rejections).toEqual([{ line: 3, sku: `${px}-B`, reason: expect.stringContaining('below zero') }]);
    expect((await variantStock(`${px}-A`)).stock).toBe(12);
    expect(await variantStock(`${px}-B`)).toEqual({ stock: 2, productStock: 2, version: 1 });
  });

  it('when rows are bad, unknown or duplicated, then each is rejected with its line and the errors.csv lists them', async () => {
    const px = skuPrefix('BAD');
    await insertCatalog([[{ sku: `${px}-OK`, stock: 1 }, { sku: `${px}-TWO`, stock: 1, size: 'M' }]]);
    await insertCatalog([[{ sku: `${px}-GONE`, stock: 1 }]], { deleted: true });
    const csv = [
      'sku,stock',
      `${px}-OK,5`, // 2 applied
      `${px}-NOPE,5`, // 3 unknown
      `${px}-TWO,abc`, // 4 bad number
      `${px}-TWO,-1`, // 5 negative absolute
      `${px}-OK,6`, // 6 duplicate of line 2
      `${px}-GONE,3`, // 7 deleted product
      `${px}-TWO,1,extra`, // 8 too many columns
      '',
      `=HYPERLINK("x"),1`, // 10 invalid sku (and a formula, neutralised in the report)
    ].join('\n');
    const res = await upload(csv);
    expectSuccess(res, 202);
    const done = await finished(res.body.data.id);
    expect(done).toMatchObject({ status: 'done', applied: 1, rejected: 7, rows: { done: 8 } });
    expect(done.rejections.map((r) => r.line)).toEqual([3, 4, 5, 6, 7, 8, 10]);
    expect(done.rejections[0].reason).toBe('unknown SKU');
    expect(done.rejections[3].reason).toBe('duplicate SKU in the file (first on line 2)');
    expect((await variantStock(`${px}-OK`)).stock).toBe(5);
    expect((await variantStock(`${px}-TWO`)).stock).toBe(1);

    const report = await request(ctx.app).get(done.errorsUrl).set(manager.headers);
    expect(report.status).toBe(200);
    expect(report.headers['content-type']).toMatch(/^text\/csv/);
    const lines = report.text.trim().split('\n');
    expect(lines[0]).toBe('line,sku,reason');
    expect(lines).toHaveLength(8);
    expect(lines[1]).toBe(`3,${px}-NOPE,unknown SKU`);
    expect(lines[7].startsWith(`10,"'=HYPERLINK`)).toBe(true);
  });

  it('when the same file is uploaded again, then the same import is returned with 200 and nothing is applied twice', async () => {
    const px = skuPrefix('SAME');
    await insertCatalog([[{ sku: `${px}-A`, stock: 1 }]]);
    const csv = `sku,delta\n${px}-A,4\n`;
    const first = await upload(csv);
    expectSuccess(first, 202);
    await finished(first.body.data.id);
    const again = await upload(csv, manager, 'renamed.csv');
    expectSuccess(again, 200);
    expect(again.body.data.id).toBe(first.body.data.id);
    expect((await variantStock(`${px}-A`)).stock).toBe(5);
  });

  it('when a run dies between a batch write and its count, then the retried job resumes without applying a row twice', async () => {
    const px = skuPrefix('RESUME');
    await insertCatalog([[{ sku: `${px}-A`, stock: 1 }], [{ sku: `${px}-B`, stock: 1 }], [{ sku: `${px}-C`, stock: 1 }]]);
    const imports = createInventoryImportRepository(inventoryImportModels(mongoose.connection));
    const stock = createVariantStockRepository(Product);
    const file = Buffer.from(`sku,delta\n${px}-A,1\n${px}-B,1\n${px}-C,1\n`);
    // Stored without a queue job: this test is the worker.
    const { record } = await imports.create({ sha256: createHash('sha256').update(file).digest('hex'), fileName: 'r.csv', mode: 'delta', rowsTotal: 3, createdBy: manager.accountId }, file);
    let calls = 0;
    const dying = createImportProcessor({ imports, stock, alerts: ctx.container.stock, batchRows: 1, invalidateProducts: async () => {
      calls += 1;
      if (calls === 2) throw new Error('killed after the second batch was written');
    } });
    await expect(dying(record._id.toString())).rejects.toThrow('killed');
    expect((await variantStock(`${px}-B`)).stock).toBe(2);
    await createImportProcessor({ imports, stock, alerts: ctx.container.stock, batchRows: 1, invalidateProducts: async () => undefined })(record._id.toString());
    for (const s of ['A', 'B', 'C']) expect((await variantStock(`${px}-${s}`)).stock).toBe(2);
    const done = await finished(record._id.toString());
    expect(done).toMatchObject({ status: 'done', applied: 3, rejected: 0, rows: { done: 3 } });
    // A duplicate job for the finished import does nothing.
    await createImportProcessor({ imports, stock, alerts: ctx.container.stock, invalidateProducts: async () => undefined })(record._id.toString());
    expect((await variantStock(`${px}-A`)).stock).toBe(2);
  });

  it('when an import takes a variant below the low-stock threshold or back from zero, then each crossing is one outbox event, and a re-upload adds none', async () => {
    const px = skuPrefix('ALERT');
    await insertCatalog([[{ sku: `${px}-LOW`, stock: 20 }, { sku: `${px}-OUT`, stock: 0 }]]);
    const { _id, variants } = (await Product.findOne({ 'variants.sku': `${px}-LOW` }).lean()) as unknown as { _id: unknown; variants: { _id: unknown; sku: string }[] };
    const idOf = (sku: string) => String(variants.find((v) => v.sku === sku)!._id);
    const first = await upload(`sku,stock\n${px}-LOW,2\n${px}-OUT,7\n`);
    expectSuccess(first, 202);
    const done = await finished(first.body.data.id);
    expect(done).toMatchObject({ status: 'done', applied: 2 });
    const events = async () => OutboxEvent.find({ aggregateId: { $in: [`variant:${idOf(`${px}-LOW`)}`, `variant:${idOf(`${px}-OUT`)}`] } }).lean();
    const recorded = await events();
    expect(recorded.map((e) => `${e.type} ${String((e.payload as { sku: string }).sku)}`).sort()).toEqual([`variant-back-in-stock ${px}-OUT`, `variant-low-stock ${px}-LOW`]);
    // The alerts moved to the outbox: none is left on the product for the sweep.
    expect(((await Product.findById(_id).lean()) as unknown as { stockAlerts?: unknown[] }).stockAlerts ?? []).toEqual([]);
    expectSuccess(await upload(`sku,stock\n${px}-LOW,2\n${px}-OUT,7\n`), 200);
    expect(await events()).toHaveLength(2);
  });

  it('when the header is neither sku,stock nor sku,delta, then 422 and nothing is stored', async () => {
    const res = await upload('code,qty\nA,1\n');
    expectErrorContract(res, 422, 'INVALID_CSV_HEADER');
    expectErrorContract(await upload('sku,stock\n'), 422, 'EMPTY_IMPORT');
  });

  it('when a customer uploads or reads, then 403; without a token 401', async () => {
    expectErrorContract(await upload('sku,stock\nX,1\n', customer), 403);
    expectErrorContract(await request(ctx.app).get('/api/v1/inventory/export.csv').set(customer.headers), 403);
    expectErrorContract(await request(ctx.app).post('/api/v1/inventory/imports').attach('file', Buffer.from('sku,stock\nX,1\n'), 'a.csv'), 401);
  });

  it('when an import id is unknown, then 404 IMPORT_NOT_FOUND', async () => {
    expectErrorContract(await request(ctx.app).get('/api/v1/inventory/imports/665f1c2b9a1e4c0012345678').set(manager.headers), 404, 'IMPORT_NOT_FOUND');
    expectErrorContract(await request(ctx.app).get('/api/v1/inventory/imports/665f1c2b9a1e4c0012345678/errors.csv').set(manager.headers), 404, 'IMPORT_NOT_FOUND');
  });
});
