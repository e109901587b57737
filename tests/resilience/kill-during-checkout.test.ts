// One API process is killed (SIGKILL: no drain, no cleanup) with checkouts of hot products in
// flight. Nothing it left behind may stop another process from selling those products: stock is
// reserved by single-document conditional updates, not by transactions whose write intents would
// outlive the process until the database reaps them (transactionLifetimeLimitSeconds, 60 s).
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Product } from '../support/models';
import { connectTestDatabase, disconnectTestDatabase, uniqueDbName } from '../support/db';
import { startApi, type ApiProcess } from '../support/faults';
import { orderBody } from '../integration/orders.fixture';
import { insertProducts } from '../integration/products.fixture';

const CLIENTS = 16;
const PASSWORD = 'Str0ng-kill-passw0rd!';

async function signUp(url: string): Promise<string> {
  const email = `kill-${randomBytes(5).toString('hex')}@example.test`;
  const res = await request(url).post('/api/v1/auth/register').send({ email, password: PASSWORD, firstName: 'Kay', lastName: 'Nine' });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.data.tokens.accessToken);
}

describe('resilience: kill -9 during checkout', () => {
  const dbName = uniqueDbName('kill9');
  const env = { MONGODB_DB_NAME: dbName, REDIS_KEY_PREFIX: `test:${randomBytes(5).toString('hex')}:` };
  let victim: ApiProcess;
  let survivor: ApiProcess;

  beforeAll(async () => {
    await connectTestDatabase(dbName);
    [victim, survivor] = await Promise.all([startApi(env), startApi(env)]);
  }, 90_000);

  afterAll(async () => {
    await victim?.stop();
    await survivor?.stop();
    await disconnectTestDatabase();
  });

  it('when a process is killed with checkouts in flight, then another process sells the same products within 5 s', async () => {
    const hot = await insertProducts([
      { name: 'Kill Hot A', price: 9.99, stock: 10_000 },
      { name: 'Kill Hot B', price: 19.99, stock: 10_000 },
    ]);
    const items = hot.map((productId) => ({ productId, quantity: 1 }));
    const tokens = await Promise.all(Array.from({ length: CLIENTS }, () => signUp(victim.url)));
    const survivorToken = await signUp(survivor.url);

    let placed = 0;
    let killed = false;
    const load = tokens.map(async (token) => {
      while (!killed) {
        const res = await request(victim.url).post('/api/v1/orders').set('Authorization', `Bearer ${token}`).send(orderBody(items)).catch(() => undefined);
        if (res?.status === 201) placed += 1;
      }
    });
    const deadline = Date.now() + 30_000;
    while (placed < CLIENTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(placed).toBeGreaterThanOrEqual(CLIENTS);

    // Mid-flight: every client has a checkout outstanding when the process dies.
    killed = true;
    victim.server.child.kill('SIGKILL');
    await victim.server.exited;
    await Promise.all(load);

    const started = Date.now();
    const sale = await request(survivor.url).post('/api/v1/orders').set('Authorization', `Bearer ${survivorToken}`).send(orderBody(items)).timeout(20_000);
    const tookMs = Date.now() - started;
    expect(sale.status).toBe(201);
    expect(tookMs).toBeLessThan(5000);
    const stock = await Product.find({ _id: { $in: hot } }).lean();
    for (const p of stock) expect(p.stock).toBeGreaterThanOrEqual(0);
  }, 120_000);
});
