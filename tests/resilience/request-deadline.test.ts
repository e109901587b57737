// The request deadline under a stalled database: the client that was answered 503 REQUEST_TIMEOUT
// must find nothing done (no order, stock untouched), and the late end of that work must not
// touch the keep-alive connection the client keeps using. The stall is the database's own
// `failCommand` fail point, on a replica set of this file's own (a fail point is server-wide).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { MongoMemoryReplSet } from 'mongodb-memory-server';
import mongoose from 'mongoose';
import { logger } from '../../src/utils/logger';
import { Order, Product } from '../support/models';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, type TestCaller } from '../support/auth';
import { uniqueDbName } from '../support/db';
import { pollUntil } from '../support/faults';
import { orderBody, productsWithStock, stockOf } from '../integration/orders.fixture';
import { MemoryTransport } from '../support/log-capture';

// Two seconds: long enough that the innocent request's own work fits after its stall on a busy machine.
const DEADLINE_MS = 2000;

interface Answer {
  readonly status?: number;
  readonly body?: { code?: string };
  readonly error?: string;
}

function call(agent: http.Agent, port: number, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    req.once('error', (err) => resolve({ error: err.message }));
    req.end(payload);
  });
}

/** Every log record of this file's app, warnings included. */
const recorder = new MemoryTransport();
const records = recorder.records;

async function stall(command: 'update' | 'find' | 'insert', ms: number, skip = 0): Promise<void> {
  await mongoose.connection.db!.admin().command({
    configureFailPoint: 'failCommand',
    mode: { times: 1, skip },
    data: { failCommands: [command], blockConnection: true, blockTimeMS: ms },
  });
}

describe('resilience: the request deadline', () => {
  let replSet: MongoMemoryReplSet;
  let ctx: TestContext;
  let server: http.Server;
  let port: number;
  let buyer: TestCaller;

  beforeAll(async () => {
    logger.level = 'warn';
    logger.add(recorder);
    replSet = await MongoMemoryReplSet.create({ replSet: { count: 1 } });
    await mongoose.connect(replSet.getUri(), { dbName: uniqueDbName('deadline'), serverSelectionTimeoutMS: 5000, bufferCommands: false });
    await Promise.all(Object.values(mongoose.connection.models).map((model) => model.init()));
    ctx = await createTestContext({ env: { REQUEST_TIMEOUT_MS: String(DEADLINE_MS) } });
    buyer = await callerWithRole(ctx, 'customer');
    server = http.createServer(ctx.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }, 60_000);

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await ctx.close();
    await mongoose.disconnect();
    await replSet.stop();
  }, 30_000);

  it('when the deadline answers 503 while the order is stuck in the database, then nothing is reserved or ordered, and the next request on the same connection is answered', async () => {
    const [productId] = await productsWithStock(5);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // The stock reservation stalls 2.5 s: the deadline (2 s) answers first, then the work resumes.
      // It is the second update: the first is the idempotency claim's take-over of an expired record.
      await stall('update', DEADLINE_MS + 500, 1);
      const headers = { ...buyer.headers, 'idempotency-key': `deadline-${randomBytes(6).toString('hex')}` };
      const timedOut = await call(agent, port, 'POST', '/api/v1/orders', headers, orderBody([{ productId, quantity: 2 }]));
      expect(timedOut.status).toBe(503);
      expect(timedOut.body?.code).toBe('REQUEST_TIMEOUT');

      // An innocent request on the same keep-alive socket, in flight (its auth lookup stalls 0.7 s)
      // when the abandoned order work resumes at 2.5 s.
      await stall('find', 700);
      const innocent = await call(agent, port, 'GET', '/api/v1/orders', buyer.headers);
      expect(innocent.error).toBeUndefined();
      expect(innocent.status).toBe(200);

      // The abandoned attempt ends with its stock given back and no order — the 503 told the truth.
      await pollUntil('stock back to 5 with no hold left', async () => {
        const doc = await Product.collection.findOne({ _id: new mongoose.Types.ObjectId(productId) });
        // version 3: the reservation happened (+1) and was given back (+1), not merely never made.
        return doc?.stock === 5 && doc.version >= 3 && !(doc.stockHolds as unknown[] | undefined)?.length;
      }, 10_000);
      expect(await Order.countDocuments({ 'items.product': productId })).toBe(0);
      expect(await stockOf(productId)).toBe(5);
    } finally {
      agent.destroy();
    }
  });

  it('when the handler finishes after the deadline answered, then its late writes are dropped without ERR_HTTP_HEADERS_SENT', async () => {
    const [productId] = await productsWithStock(5);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // The order is saved; the insert after it (the stored idempotent response) stalls past the deadline.
      await stall('insert', DEADLINE_MS + 500, 1);
      const headers = { ...buyer.headers, 'idempotency-key': `late-${randomBytes(6).toString('hex')}` };
      const timedOut = await call(agent, port, 'POST', '/api/v1/orders', headers, orderBody([{ productId, quantity: 1 }]));
      expect(timedOut.status).toBe(503);
      // An innocent request on the same keep-alive socket, in flight (its auth lookup stalls 0.8 s)
      // when the abandoned handler ends at about 2.5 s.
      await stall('find', 800);
      const innocent = await call(agent, port, 'GET', '/api/v1/orders', buyer.headers);
      expect(innocent.error).toBeUndefined();
      expect(innocent.status).toBe(200);
      const late = (r: Record<string, unknown>) => /after the response was sent|late response dropped/.test(String(r.message));
      await pollUntil('the late handler ending', async () => records.some(late), 10_000);
      expect(records.filter((r) => /ERR_HTTP_HEADERS_SENT|Cannot set headers/.test(JSON.stringify(r)))).toEqual([]);
    } finally {
      agent.destroy();
    }
  });
});
