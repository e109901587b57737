// The worker as its own process (as PM2 runs it): end-to-end delivery over SMTP, the request id
// travelling from an HTTP request into the worker's log, and graceful shutdown during a send.
import { randomBytes } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { createBullEmailQueue, producerConnection, type BullEmailQueue } from '../../src/jobs/email/email.queue';
import { createRedisClient } from '../../src/loaders/redis';
import { requestContext, runWithContext } from '../../src/utils/tracing';
import { testConfig } from '../support/app';
import { startSmtpServer, waitFor, type TestSmtpServer } from '../support/email-smtp';
import { portFromStartLine, spawnServer, type ServerProcess } from '../support/process';
import { testKeyPrefix } from '../support/env';

describe('email worker process', () => {
  let smtp: TestSmtpServer;
  let worker: ServerProcess;
  let producer: BullEmailQueue;
  let closeShared: () => Promise<unknown>;
  let spawnWorker: () => ServerProcess;

  beforeEach(async () => {
    smtp = await startSmtpServer();
    const prefix = testKeyPrefix();
    const config = testConfig({ REDIS_KEY_PREFIX: prefix });
    const shared = createRedisClient(config.redis.url!, config.redis);
    await shared.connect();
    closeShared = () => shared.quit();
    producer = createBullEmailQueue(config, producerConnection(shared));
    // A short job lock so a crashed worker's job is recovered within the test's time.
    spawnWorker = () => spawnServer({ REDIS_KEY_PREFIX: prefix, SMTP_URL: smtp.url, SHUTDOWN_TIMEOUT_MS: '10000', EMAIL_JOB_LOCK_MS: '1000', WORKER_HEALTH_PORT: '0' }, 'src/worker.ts');
    worker = spawnWorker();
    await worker.waitForLog((r) => r.message === '✓ Worker ready');
    // Booting a worker through tsx takes seconds on a quiet machine and far longer on a loaded one:
    // the hook gets the wait's own 60 s, not Jest's 30 s default.
  }, 90_000);

  afterEach(async () => {
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await worker.exited;
    await producer.queue.obliterate({ force: true });
    await producer.close();
    await closeShared();
    await smtp.close();
  });

  it('when an HTTP request enqueues an email, then the worker process delivers it and logs with that request id', async () => {
    // A minimal app with the real request-context middleware: the handler enqueues like a service would.
    const app = express();
    app.use(requestContext);
    app.post('/signup/:id', async (req, res) => {
      const result = await producer.enqueue({ kind: 'welcome', to: 'ada@example.com', data: { name: 'Ada' }, jobId: `welcome:${req.params.id}` });
      res.status(202).json(result);
    });
    const accountId = randomBytes(6).toString('hex');
    const requestId = `trace-${randomBytes(6).toString('hex')}`;

    const res = await request(app).post(`/signup/${accountId}`).set('X-Request-ID', requestId);
    expect(res.status).toBe(202);

    const sent = await worker.waitForLog((r) => r.message === 'email sent' && r.jobId === `welcome:${accountId}`, 15_000);
    expect(sent).toMatchObject({ requestId, kind: 'welcome', attempt: 1, durationMs: expect.any(Number), messageId: expect.any(String) });
    const started = worker.lines.find((r) => r.message === 'email job started' && r.jobId === `welcome:${accountId}`);
    expect(started?.requestId).toBe(requestId);

    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]).toMatchObject({ to: ['ada@example.com'], subject: 'Welcome to commerce-api', jobId: `welcome:${accountId}` });
    expect(smtp.received[0].raw).toContain('Hello Ada,');

    // The worker's own port reports health and the delivery it just made.
    const port = portFromStartLine(await worker.waitForLog((r) => /^✓ Health server on port/.test(String(r.message))));
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', checks: { redis: 'up', worker: 'running' } });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^email_attempts_total\{kind="welcome",outcome="sent"\} 1$/m);
    expect(metrics).toMatch(/^email_send_duration_seconds_count\{outcome="sent"\} 1$/m);
  });

  it('when SIGTERM arrives during a slow send, then the send completes before the process exits 0', async () => {
    smtp.behaviour = { delayMs: 1500 };
    const jobId = `order-status:${randomBytes(6).toString('hex')}:paid`;
    await producer.enqueue({ kind: 'order-status', to: 'slow@example.com', data: { orderId: 'o-1', status: 'paid' }, jobId });
    await worker.waitForLog((r) => r.message === 'email job started' && r.jobId === jobId, 15_000);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    expect(smtp.received).toHaveLength(1);
    const messages = worker.lines.map((r) => String(r.message));
    const order = ['Shutdown started', 'email sent', '✓ Email worker closed', 'Shutdown complete'].map((m) => messages.indexOf(m));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(await producer.stats()).toMatchObject({ completed: 1, active: 0, waiting: 0 });
  });

  it('when the worker is killed mid-send, then another worker retries the stalled job and the email is delivered', async () => {
    smtp.behaviour = { hang: true };
    const jobId = `order-confirmation:${randomBytes(6).toString('hex')}`;
    await producer.enqueue({ kind: 'order-confirmation', to: 'crash@example.com', data: { orderId: 'o-9' }, jobId });
    await worker.waitForLog((r) => r.message === 'email job started' && r.jobId === jobId, 15_000);

    worker.child.kill('SIGKILL');
    await worker.exited;
    smtp.behaviour = {};
    worker = spawnWorker();

    const sent = await worker.waitForLog((r) => r.message === 'email sent' && r.jobId === jobId, 60_000);
    expect(sent.pid).toBe(worker.child.pid);
    expect(smtp.received.map((m) => m.jobId)).toEqual([jobId]);
    // "email sent" is logged just before BullMQ records the completion.
    await waitFor(async () => (await producer.stats()).completed === 1, 5000, 'completion recorded');
    expect(await producer.stats()).toMatchObject({ failed: 0, active: 0 });
  });

  it('when every attempt fails, then each failure is logged with attempt and next delay, and the last one as final', async () => {
    smtp.behaviour = { rejectAll: true };
    const jobId = `password-reset:${randomBytes(6).toString('hex')}`;
    const requestId = `trace-${randomBytes(6).toString('hex')}`;
    await runWithContext({ requestId }, () => producer.enqueue({ kind: 'password-reset', to: 'x@example.com', data: { token: 't' }, jobId }));

    const final = await worker.waitForLog((r) => r.message === 'email failed permanently' && r.jobId === jobId, 15_000);
    // .env.test: 5 attempts, backoff 50 ms with the default jitter 0.5 → retry n waits 25·2^(n-1)..50·2^(n-1) ms.
    expect(final).toMatchObject({ level: 'error', requestId, attempt: 5, attempts: 5, error: expect.stringMatching(/550/) });
    const retries = worker.lines.filter((r) => r.message === 'email attempt failed, will retry' && r.jobId === jobId);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    retries.forEach((r, i) => {
      expect(r).toMatchObject({ level: 'warn', requestId, attempts: 5 });
      expect(r.nextDelayMs).toBeGreaterThanOrEqual(25 * 2 ** i);
      expect(r.nextDelayMs).toBeLessThanOrEqual(50 * 2 ** i);
    });
    expect(smtp.attemptTimes).toHaveLength(5);
  });
});
