// Concurrent checkout storm: hundreds of parallel orders across three low-stock products, sent to
// the real API process over HTTP. Whatever the interleaving, units sold equal the initial stock
// exactly, no stock goes negative, and every answer is 201 or 409 INSUFFICIENT_STOCK.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import { buildCatalog } from '../../src/loaders/seed';
import { Product } from '../support/models';
import { createProductRepository } from '../../src/repositories/product.repository';
import { expectSuccess } from '../support/contract';
import { connectTestDatabase, disconnectTestDatabase, uniqueDbName } from '../support/db';
import { startApi, type ApiProcess } from '../support/faults';
import { testKeyPrefix } from '../support/env';

const STOCK = 10;
const ORDERS = 240; // 80 buyers per product for 10 units each
const SHIPPING = { fullName: 'Storm Buyer', line1: '1 Rush Lane', city: 'Crowdtown', postalCode: '10001', country: 'US' };

function post(url: string, token: string, body: unknown, agent: http.Agent): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(`${url}/api/v1/orders`, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.once('error', reject);
    req.end(payload);
  });
}

describe('resilience: concurrent checkout storm', () => {
  const dbName = uniqueDbName('storm');
  let api: ApiProcess;
  let productIds: string[];

  beforeAll(async () => {
    await connectTestDatabase(dbName);
    await createProductRepository(Product).insertMany(buildCatalog(3, 21).map((p) => ({ ...p, stock: STOCK, status: 'active' as const })));
    productIds = (await Product.find({}, { _id: 1 }).lean()).map((p) => String(p._id));
    api = await startApi({ MONGODB_DB_NAME: dbName, REDIS_KEY_PREFIX: testKeyPrefix() });
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await disconnectTestDatabase();
  });

  it(`when ${ORDERS} orders race for ${3 * STOCK} units, then exactly the stock is sold, none goes negative, and every answer is 201 or 409`, async () => {
    const buyers = await Promise.all(
      [0, 1, 2, 3].map(async (n) => {
        const res = await request(api.url)
          .post('/api/v1/auth/register')
          .send({ email: `storm-${n}-${randomBytes(3).toString('hex')}@example.com`, password: 'Str0ng-storm-passw0rd!', firstName: 'Storm', lastName: `Buyer${n}` });
        expectSuccess(res, 201);
        return String(res.body.data.tokens.accessToken);
      }),
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const answers = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) => post(api.url, buyers[i % buyers.length], { items: [{ productId: productIds[i % 3], quantity: 1 }], shippingAddress: SHIPPING }, agent)),
    );
    agent.destroy();

    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'INSUFFICIENT_STOCK')).toBe(true);
    expect(statuses.filter((s) => s === 201)).toHaveLength(3 * STOCK);

    const products = await Product.find({ _id: { $in: productIds } }, { stock: 1 }).lean();
    expect(products.map((p) => p.stock)).toEqual([0, 0, 0]);
    const sold = await mongoose.connection.db!
      .collection('orders')
      .aggregate<{ _id: unknown; units: number }>([{ $unwind: '$items' }, { $group: { _id: '$items.product', units: { $sum: '$items.quantity' } } }])
      .toArray();
    expect(sold.map((s) => s.units).sort()).toEqual([STOCK, STOCK, STOCK]);
  }, 120_000);
});
