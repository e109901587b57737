// npm run test:chaos — the fault run of issue 16, bounded to a few minutes: two API instances and the
// worker under PM2 (private PM2_HOME), a MongoDB replica set, a Redis of its own and an SMTP sink;
// a steady order load from clients that retry with the same Idempotency-Key on network errors and
// 5xx (as well-behaved clients do); then, one after another: kill -9 of one API instance,
// `pm2 reload`, a 5-second MongoDB stall (SIGSTOP/SIGCONT) and a Redis restart.
// It fails unless: no order exists for a request the client was told failed; no key made two
// orders and every success has its order; stock is conserved per variant; no ERR_HTTP_HEADERS_SENT
// was logged; checkout throughput is back to half the baseline within 10 s of each fault; the
// reload failed no request; and /ready answered 200 throughout the Redis outage.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import mongoose from 'mongoose';
import { startSmtpServer } from '../tests/support/email-smtp';
import { projectRoot } from './lib/artifacts';
import { deriveEnvProd, ECOSYSTEM, isAlive, pm2, pm2Async, pm2List, pm2ListAsync } from './lib/pm2';
import { createRedisInstance, freePort, pollUntil, waitForHttp200, withoutServiceConfig, type RedisInstance } from './lib/processes';

const CLIENTS = Number(process.env.CHAOS_CLIENTS ?? 12);
const BASELINE_MS = 8_000;
const RECOVERY_MS = 10_000;
const STOCK = 1_000_000;
const PASSWORD = 'Chaos-client-passw0rd!';
const ADDRESS = { fullName: 'Chaos Client', city: 'Berlin', postalCode: '10115', country: 'DE' };

interface Outcome {
  key: string;
  /** 'placed': 201 or a replay; 'failed': the client was told so (a 4xx, or a 5xx after the last retry); 'unknown': only network errors. */
  result: 'placed' | 'failed' | 'unknown';
  orderId?: string;
  status?: number;
}

interface Attempt {
  at: number;
  ok: boolean;
  status: number;
  /** The error code of a refused attempt (IDEMPOTENCY_IN_PROGRESS is the designed answer to a retry). */
  code?: string;
  error?: string;
}

function log(message: string): void {
  process.stdout.write(`== ${message}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startReplicaSet() {
  const { MongoMemoryReplSet } = await import('mongodb-memory-server');
  const replSet = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
  const pid = replSet.servers[0]?.instanceInfo?.instance.mongodProcess?.pid;
  if (!pid) throw new Error('the MongoDB process id is unknown: cannot stall it');
  return { uri: replSet.getUri(), pid, stop: () => replSet.stop() };
}

async function api(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: { data?: Record<string, unknown>; code?: string } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // a proxy page or an empty body: keep the status
  }
  return { status: res.status, body: json, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
}

/**
 * A POST over the client's own keep-alive connection (one socket per client, as independent shop
 * clients have), so each client's requests follow one another on it.
 */
function post(agent: http.Agent, url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: { data?: Record<string, unknown>; code?: string }; retryAfter: number }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, timeout: 30_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        let json = {};
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as object;
        } catch {
          // an empty or non-JSON body: keep the status
        }
        resolve({ status: res.statusCode ?? 0, body: json, retryAfter: Number(res.headers['retry-after'] ?? 0) });
      });
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** One order with its own key, retried on network errors, 5xx and 409 IDEMPOTENCY_IN_PROGRESS. */
async function placeWithRetries(agent: http.Agent, base: string, token: string, items: unknown[], attempts: Attempt[]): Promise<Outcome> {
  const key = randomUUID();
  const body = { items, shippingAddress: { ...ADDRESS, line1: `chaos ${key}` } };
  let last: Outcome = { key, result: 'unknown' };
  for (let attempt = 0; attempt < 12; attempt += 1) {
    try {
      const res = await post(agent, `${base}/api/v1/orders`, body, { authorization: `Bearer ${token}`, 'idempotency-key': key });
      attempts.push({ at: Date.now(), ok: res.status < 300, status: res.status, ...(res.body.code && { code: res.body.code }) });
      if (res.status === 201 || res.status === 200) return { key, result: 'placed', orderId: String(res.body.data?.id), status: res.status };
      const retryable = res.status >= 500 || res.status === 429 || res.body.code === 'IDEMPOTENCY_IN_PROGRESS';
      last = { key, result: 'failed', status: res.status };
      if (!retryable) return last;
      await sleep(Math.max(res.retryAfter * 1000, Math.min(2000, 200 * 2 ** attempt)));
    } catch (err) {
      attempts.push({ at: Date.now(), ok: false, status: 0, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
      await sleep(Math.min(2000, 200 * 2 ** attempt));
    }
  }
  return last;
}

/** Successful order responses per second in [from, to). */
function rate(attempts: Attempt[], from: number, to: number): number {
  return attempts.filter((a) => a.ok && a.at >= from && a.at < to).length / ((to - from) / 1000);
}

/** Milliseconds after `from` until a one-second window reaches half the baseline rate. */
async function recovery(attempts: Attempt[], from: number, baseline: number): Promise<number> {
  const deadline = from + RECOVERY_MS + 5_000;
  for (;;) {
    for (let t = from; t + 1000 <= Date.now(); t += 250) if (rate(attempts, t, t + 1000) >= baseline / 2) return t + 1000 - from;
    if (Date.now() > deadline) return Infinity;
    await sleep(250);
  }
}

async function main(): Promise<void> {
  log('npm run build');
  if (spawnSync('npm', ['run', 'build'], { cwd: projectRoot, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const mongo = await startReplicaSet();
  const redis: RedisInstance = await createRedisInstance();
  await redis.start();
  const smtp = await startSmtpServer();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const pm2Home = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-home-chaos-'));
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-logs-chaos-'));
  const envFile = path.join(logDir, '.env.prod');
  const dbName = `chaos_${Date.now()}`;
  deriveEnvProd(envFile, {
    MONGODB_URI: mongo.uri,
    MONGODB_DB_NAME: dbName,
    REDIS_URL: redis.url,
    JWT_SECRET: `chaos-${randomUUID()}-${'x'.repeat(32)}`,
    PUBLIC_URL: base,
    HOST: '127.0.0.1',
    PORT: String(port),
    TRUST_PROXY: 'false',
    SMTP_URL: smtp.url,
    CLUSTER_INSTANCES: '2',
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000000',
    LOG_DIR: logDir,
    // Production starts only with a real payment provider configured; the run never calls Stripe.
    STRIPE_SECRET_KEY: 'sk_test_chaos0123',
    STRIPE_WEBHOOK_SECRET: 'whsec_chaos_run_secret_0123',
  });
  const env: NodeJS.ProcessEnv = { ...withoutServiceConfig(process.env), PM2_HOME: pm2Home, ENV_FILE: envFile };
  const problems: string[] = [];
  const pids: number[] = [];
  let stopLoad = false;
  try {
    await mongoose.connect(mongo.uri, { dbName });
    await seedAdmin();
    pm2(env, 'start', ECOSYSTEM);
    await waitForHttp200(`${base}/ready`, 60_000);
    pids.push(...pm2List(env).map((p) => p.pid));
    log(`PM2: ${pm2List(env).map((p) => `${p.name}#${p.pm_id} pid ${p.pid}`).join(', ')}`);

    const admin = await api(base, 'POST', '/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password });
    if (admin.status !== 200) throw new Error(`admin sign-in answered ${admin.status}`);
    const adminToken = String((admin.body.data?.tokens as { accessToken: string }).accessToken);
    const category = await api(base, 'POST', '/api/v1/categories', { name: 'Chaos', slug: 'chaos' }, { authorization: `Bearer ${adminToken}` });
    if (category.status !== 201) throw new Error(`category create answered ${category.status}: ${JSON.stringify(category.body)}`);
    const products: { productId: string; variantId: string }[] = [];
    for (const n of [1, 2, 3]) {
      const res = await api(base, 'POST', '/api/v1/products', { name: `Chaos Item ${n}`, sku: `CHAOS-${n}-${Date.now()}`, price: 5 + n, category: 'chaos', stock: STOCK, status: 'active' }, { authorization: `Bearer ${adminToken}` });
      if (res.status !== 201) throw new Error(`product create answered ${res.status}: ${JSON.stringify(res.body)}`);
      const variants = res.body.data?.variants as { id: string }[];
      products.push({ productId: String(res.body.data?.id), variantId: variants[0]!.id });
    }
    const tokens = await Promise.all(
      Array.from({ length: CLIENTS }, async (_v, i) => {
        const res = await api(base, 'POST', '/api/v1/auth/register', { email: `chaos-${i}-${Date.now()}@example.test`, password: PASSWORD, firstName: 'Chaos', lastName: `Client${i}` });
        if (res.status !== 201) throw new Error(`sign-up answered ${res.status}`);
        return String((res.body.data?.tokens as { accessToken: string }).accessToken);
      }),
    );

    const attempts: Attempt[] = [];
    const outcomes: Outcome[] = [];
    const load = tokens.map(async (token, i) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (!stopLoad) {
        const product = products[(i + outcomes.length) % products.length]!;
        outcomes.push(await placeWithRetries(agent, base, token, [{ ...product, quantity: 1 + (outcomes.length % 2) }], attempts));
      }
      agent.destroy();
    });

    const started = Date.now();
    await sleep(BASELINE_MS);
    const baseline = rate(attempts, started + 2000, Date.now());
    log(`baseline: ${baseline.toFixed(1)} orders/s from ${CLIENTS} clients`);
    if (baseline <= 0) throw new Error('no orders were placed before the faults');
    const recoveries: [string, number][] = [];

    // 1. kill -9 of one API instance (PM2 restarts it; the other keeps selling).
    const victim = (await pm2ListAsync(env)).find((p) => p.name === 'commerce-api')!;
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    log(`kill -9 commerce-api#${victim.pm_id} (pid ${victim.pid})`);
    recoveries.push(['kill -9 of one API instance', await recovery(attempts, killedAt, baseline)]);
    await waitForHttp200(`${base}/ready`, 30_000);
    await pollUntil('both API instances online again', async () => ((await pm2ListAsync(env)).filter((p) => p.name === 'commerce-api' && p.pm2_env.status === 'online').length === 2 ? true : undefined), 30_000);
    await sleep(3000);

    // 2. pm2 reload: zero failed requests while it runs.
    const reloadStart = Date.now();
    // Asynchronously: this process is also the load generator, whose clients must keep running.
    await pm2Async(env, 'reload', 'commerce-api');
    const reloadEnd = Date.now();
    await sleep(1000);
    // A retry meeting its first attempt still in progress (409 IDEMPOTENCY_IN_PROGRESS + Retry-After) is
    // the designed answer — after the kill -9 above, such claims last until their lease ends.
    const failedInReload = attempts.filter((a) => a.at >= reloadStart && a.at <= reloadEnd + 1000 && !a.ok && a.code !== 'IDEMPOTENCY_IN_PROGRESS');
    log(`pm2 reload took ${reloadEnd - reloadStart} ms; ${failedInReload.length} failed requests during it`);
    if (failedInReload.length) problems.push(`pm2 reload: ${failedInReload.length} failed requests (${failedInReload.map((a) => a.error ?? a.status).join(', ')})`);
    recoveries.push(['pm2 reload', await recovery(attempts, reloadStart, baseline)]);
    pids.push(...(await pm2ListAsync(env)).map((p) => p.pid));

    // 3. A 5-second MongoDB stall.
    process.kill(mongo.pid, 'SIGSTOP');
    log('MongoDB stopped (SIGSTOP) for 5 s');
    await sleep(5000);
    process.kill(mongo.pid, 'SIGCONT');
    const resumedAt = Date.now();
    recoveries.push(['5-s MongoDB stall (from SIGCONT)', await recovery(attempts, resumedAt, baseline)]);

    // 4. A Redis restart (no persistence): /ready must stay 200 while it is down.
    await redis.kill();
    log('Redis killed');
    const readyWhileDown: number[] = [];
    const downUntil = Date.now() + 4000;
    while (Date.now() < downUntil) {
      readyWhileDown.push((await fetch(`${base}/ready`).catch(() => ({ status: 0 }))).status);
      await sleep(200);
    }
    await redis.start();
    const redisBackAt = Date.now();
    log(`Redis restarted; /ready during the outage: ${readyWhileDown.length} probes, ${readyWhileDown.filter((s) => s !== 200).length} not 200`);
    if (readyWhileDown.some((s) => s !== 200)) problems.push(`/ready answered ${[...new Set(readyWhileDown)].join(',')} during the Redis outage`);
    recoveries.push(['Redis restart', await recovery(attempts, redisBackAt, baseline)]);

    stopLoad = true;
    await Promise.all(load);
    for (const [fault, ms] of recoveries) {
      log(`throughput back to half the baseline ${Number.isFinite(ms) ? `${ms} ms` : 'never'} after: ${fault}`);
      if (ms > RECOVERY_MS) problems.push(`throughput not back within ${RECOVERY_MS} ms after ${fault}`);
    }
    problems.push(...(await checkOrders(outcomes, products)));
  } finally {
    stopLoad = true;
    try {
      pm2(env, 'delete', 'all');
      pm2(env, 'kill');
    } catch (err) {
      problems.push(`pm2 shutdown: ${(err as Error).message}`);
    }
    await pollUntil('every PM2 process gone', async () => (pids.some(isAlive) ? undefined : true), 20_000).catch(() => problems.push('PM2 processes left running'));
    const headersSent = countInLogs(logDir, 'ERR_HTTP_HEADERS_SENT');
    log(`ERR_HTTP_HEADERS_SENT in the logs: ${headersSent}`);
    if (headersSent) problems.push(`${headersSent} ERR_HTTP_HEADERS_SENT in the logs (${logDir})`);
    await mongoose.disconnect();
    await mongo.stop();
    await redis.kill();
    await smtp.close();
    fs.rmSync(pm2Home, { recursive: true, force: true });
    if (!problems.length) fs.rmSync(logDir, { recursive: true, force: true });
  }
  if (problems.length) throw new Error(`the chaos run broke an invariant:\n - ${problems.join('\n - ')}`);
}

const ADMIN = { email: 'chaos-admin@example.test', password: 'Chaos-admin-passw0rd!' };

/** The first admin, as an operator creates one: straight into the database (there is no sign-up for staff). */
async function seedAdmin(): Promise<void> {
  const { createSeedRepositories } = await import('../src/loaders/repositories');
  const { config } = await import('../src/config');
  const { accounts } = await createSeedRepositories(mongoose.connection, config);
  await accounts.create({ firstName: 'Chaos', lastName: 'Admin', email: ADMIN.email, password: ADMIN.password, role: 'admin' });
}

/** The database against what the clients were told. */
async function checkOrders(outcomes: Outcome[], products: { productId: string; variantId: string }[]): Promise<string[]> {
  const problems: string[] = [];
  const orders = await mongoose.connection.collection('orders').find({ 'shippingAddress.line1': /^chaos / }).toArray();
  const byKey = new Map<string, typeof orders>();
  for (const order of orders) {
    const key = String((order.shippingAddress as { line1: string }).line1).slice('chaos '.length);
    byKey.set(key, [...(byKey.get(key) ?? []), order]);
  }
  const told = { placed: 0, failed: 0, unknown: 0 };
  for (const outcome of outcomes) {
    told[outcome.result] += 1;
    const found = byKey.get(outcome.key) ?? [];
    if (found.length > 1) problems.push(`key ${outcome.key} produced ${found.length} orders`);
    if (outcome.result === 'failed' && found.length) problems.push(`key ${outcome.key}: the client was told ${outcome.status} but order ${String(found[0]!._id)} exists`);
    if (outcome.result === 'placed' && (found.length !== 1 || String(found[0]!._id) !== outcome.orderId)) problems.push(`key ${outcome.key}: answered order ${outcome.orderId}, stored ${found.map((o) => String(o._id)).join(',') || 'none'}`);
  }
  const keys = new Set(outcomes.map((o) => o.key));
  for (const [key, found] of byKey) if (!keys.has(key)) problems.push(`order ${found.map((o) => String(o._id)).join(',')} has key ${key}, which no client sent`);
  log(`orders: ${told.placed} placed, ${told.failed} told failed, ${told.unknown} unknown (network errors only); ${orders.length} stored`);
  // Stock: what is left + what live orders hold + what unfinished placements still hold = what there was.
  for (const { productId, variantId } of products) {
    const product = await mongoose.connection.collection('products').findOne({ _id: new mongoose.Types.ObjectId(productId) });
    const variant = (product!.variants as { _id: unknown; stock: number }[]).find((v) => String(v._id) === variantId)!;
    const sold = orders
      .filter((o) => o.status !== 'cancelled')
      .flatMap((o) => o.items as { product: unknown; quantity: number }[])
      .filter((line) => String(line.product) === productId)
      .reduce((sum, line) => sum + line.quantity, 0);
    const savedIds = new Set(orders.map((o) => String(o._id)));
    const held = ((product!.stockHolds ?? []) as { order: string; quantity: number }[]).filter((h) => !savedIds.has(h.order)).reduce((sum, h) => sum + h.quantity, 0);
    if (variant.stock + sold + held !== STOCK) problems.push(`product ${productId}: stock ${variant.stock} + sold ${sold} + held ${held} ≠ ${STOCK}`);
  }
  return problems;
}

function countInLogs(dir: string, needle: string): number {
  let count = 0;
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const full = path.join(dir, file);
    if (fs.statSync(full).isFile()) count += fs.readFileSync(full, 'utf8').split(needle).length - 1;
  }
  return count;
}

main().then(
  () => {
    log('chaos run passed');
    process.exit(0);
  },
  (err: Error) => {
    process.stderr.write(`chaos run failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
