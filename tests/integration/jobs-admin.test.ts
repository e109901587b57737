// Admin endpoints over the real BullMQ queue: dead letters, retry, stats, and the dashboard's
// link → cookie hand-off.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { EmailProcessor } from '../../src/jobs/email/processor';
import { createBullEmailQueue, producerConnection, type BullEmailQueue } from '../../src/jobs/email/email.queue';
import { startEmailWorker, workerConnection, type EmailWorker } from '../../src/jobs/email/worker';
import { createRedisClient } from '../../src/loaders/redis';
import { createTestContext, testConfig, type TestContext } from '../support/app';
import { callerWithRole } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { waitFor } from '../support/email-smtp';
import { testKeyPrefix } from '../support/env';

useTestDatabase();

describe('admin jobs API', () => {
  let ctx: TestContext;
  let queue: BullEmailQueue;
  let worker: EmailWorker;
  let cleanup: () => Promise<void>;
  const smtpIsDown = { value: true };

  beforeAll(async () => {
    const env = { REDIS_KEY_PREFIX: testKeyPrefix(), EMAIL_ATTEMPTS: '2', EMAIL_BACKOFF_MS: '20', QUEUE_DASHBOARD_ENABLED: 'true' };
    const config = testConfig(env);
    const shared = createRedisClient(config.redis.url!, config.redis);
    await shared.connect();
    queue = createBullEmailQueue(config, producerConnection(shared));
    // A fake delivery step passed by argument: it fails while `smtpIsDown` says so.
    const deliver: EmailProcessor = async () => {
      if (smtpIsDown.value) throw new Error('connect ECONNREFUSED smtp');
      return { messageId: '<fake@test>' };
    };
    const connection = workerConnection(shared);
    worker = startEmailWorker(config, connection, deliver);
    ctx = await createTestContext({ redis: true, emailQueue: queue, env });
    cleanup = async () => {
      await worker.close(5000);
      await queue.queue.obliterate({ force: true });
      await queue.close();
      await connection.quit();
      await shared.quit();
    };
  });

  afterAll(async () => {
    await cleanup();
    await ctx.close();
  });

  async function deadLetter(): Promise<string> {
    const jobId = `welcome:${randomBytes(6).toString('hex')}`;
    await queue.enqueue({ kind: 'welcome', to: 'a@example.com', data: {}, jobId });
    await waitFor(async () => (await queue.listFailed(100)).some((j) => j.jobId === jobId), 10_000, 'dead letter');
    return jobId;
  }

  describe('GET /api/v1/admin/jobs/failed', () => {
    it('when an admin asks, then each dead letter is listed with its reason and attempts', async () => {
      const jobId = await deadLetter();
      const admin = await callerWithRole(ctx, 'admin');
      const res = await request(ctx.app).get('/api/v1/admin/jobs/failed?limit=50').set(admin.headers);
      expectSuccess(res);
      expect(res.body.data).toEqual(
        expect.arrayContaining([expect.objectContaining({ jobId, kind: 'welcome', to: 'a@example.com', attemptsMade: 2, failedReason: expect.stringMatching(/ECONNREFUSED/) })]),
      );
      expect(res.body.meta).toMatchObject({ limit: 50 });
    });

    it('when the caller is not an admin or sends a bad limit, then 401/403/400 in the error contract', async () => {
      expectErrorContract(await request(ctx.app).get('/api/v1/admin/jobs/failed'), 401);
      const manager = await callerWithRole(ctx, 'manager');
      expectErrorContract(await request(ctx.app).get('/api/v1/admin/jobs/failed').set(manager.headers), 403, 'FORBIDDEN');
      const admin = await callerWithRole(ctx, 'admin');
      expectErrorContract(await request(ctx.app).get('/api/v1/admin/jobs/failed?limit=1000').set(admin.headers), 400, 'VALIDATION_FAILED');
    });
  });

  describe('POST /api/v1/admin/jobs/:id/retry', () => {
    it('when an admin retries a dead letter, then it runs again and leaves the failed set', async () => {
      const jobId = await deadLetter();
      const admin = await callerWithRole(ctx, 'admin');
      smtpIsDown.value = false;
      try {
        const res = await request(ctx.app).post(`/api/v1/admin/jobs/${jobId}/retry`).set(admin.headers);
        expectSuccess(res, 202);
        expect(res.body.data).toEqual({ jobId, status: 'waiting' });
        await waitFor(async () => (await queue.queue.getJobState(jobId.replace(':', '.'))) === 'completed', 10_000, 'completed after retry');
        expect((await queue.listFailed(100)).map((j) => j.jobId)).not.toContain(jobId);

        expectErrorContract(await request(ctx.app).post(`/api/v1/admin/jobs/${jobId}/retry`).set(admin.headers), 409, 'JOB_NOT_FAILED');
      } finally {
        smtpIsDown.value = true;
      }
    });

    it('when the job is unknown, malformed or the caller is a customer, then 404/400/403 and nothing changes', async () => {
      const admin = await callerWithRole(ctx, 'admin');
      const before = await queue.stats();
      expectErrorContract(await request(ctx.app).post('/api/v1/admin/jobs/welcome:does-not-exist/retry').set(admin.headers), 404, 'JOB_NOT_FOUND');
      expectErrorContract(await request(ctx.app).post('/api/v1/admin/jobs/..%2F..%2Fetc/retry').set(admin.headers), 400, 'VALIDATION_FAILED');
      const jobId = await deadLetter();
      const customer = await callerWithRole(ctx, 'customer');
      expectErrorContract(await request(ctx.app).post(`/api/v1/admin/jobs/${jobId}/retry`).set(customer.headers), 403, 'FORBIDDEN');
      expect(await queue.queue.getJobState(jobId.replace(':', '.'))).toBe('failed');
      expect((await queue.stats()).failed).toBe(before.failed + 1);
    });
  });

  describe('GET /api/v1/admin/jobs/stats', () => {
    it('when an admin asks, then the email queue counts by state are returned', async () => {
      const admin = await callerWithRole(ctx, 'admin');
      const res = await request(ctx.app).get('/api/v1/admin/jobs/stats').set(admin.headers);
      expectSuccess(res);
      expect(res.body.data.email).toEqual({ waiting: expect.any(Number), active: expect.any(Number), delayed: expect.any(Number), completed: expect.any(Number), failed: expect.any(Number) });
      expect(res.body.data.email).toEqual(await queue.stats());
    });
  });

  describe('GET /admin/queues (dashboard)', () => {
    it('when an admin opens a fresh dashboard link, then a path-scoped HttpOnly session cookie opens the board', async () => {
      const admin = await callerWithRole(ctx, 'admin');
      const link = await request(ctx.app).post('/api/v1/admin/jobs/dashboard-link').set(admin.headers);
      expectSuccess(link, 201);
      const url = new URL(link.body.data.url);
      expect(url.pathname).toBe('/admin/queues');

      const opened = await request(ctx.app).get(`${url.pathname}${url.search}`);
      expect(opened.status).toBe(303);
      expect(opened.headers.location).toBe('/admin/queues/');
      const cookie = String(opened.headers['set-cookie']);
      expect(cookie).toMatch(/^queue_dashboard_session=/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\/admin\/queues/);

      const session = cookie.split(';')[0];
      const page = await request(ctx.app).get('/admin/queues/').set('Cookie', session);
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/<base href="\/admin\/queues\/?"/);
      const api = await request(ctx.app).get('/admin/queues/api/queues').set('Cookie', session);
      expect(api.status).toBe(200);
      expect(JSON.stringify(api.body)).toContain('"email"');
    });

    it('when there is no session, a forged ticket or an access token as ticket, then 401 and no board', async () => {
      expectErrorContract(await request(ctx.app).get('/admin/queues/api/queues'), 401, 'DASHBOARD_SESSION_REQUIRED');
      expectErrorContract(await request(ctx.app).get('/admin/queues?ticket=abc.def.ghi'), 401, 'DASHBOARD_TICKET_INVALID');
      const admin = await callerWithRole(ctx, 'admin');
      const accessToken = admin.headers.Authorization.replace('Bearer ', '');
      expectErrorContract(await request(ctx.app).get(`/admin/queues?ticket=${accessToken}`), 401, 'DASHBOARD_TICKET_INVALID');
      expectErrorContract(await request(ctx.app).get('/admin/queues/').set('Cookie', `queue_dashboard_session=${accessToken}`), 401, 'DASHBOARD_SESSION_REQUIRED');
      const customer = await callerWithRole(ctx, 'customer');
      expectErrorContract(await request(ctx.app).post('/api/v1/admin/jobs/dashboard-link').set(customer.headers), 403, 'FORBIDDEN');
    });
  });
});

describe('admin jobs API without an inspectable queue', () => {
  it('when the dashboard is disabled and the queue is a fake, then 404 DASHBOARD_DISABLED and 503 JOB_QUEUE_UNAVAILABLE', async () => {
    const ctx = await createTestContext({ env: { QUEUE_DASHBOARD_ENABLED: 'false' } });
    try {
      const admin = await callerWithRole(ctx, 'admin');
      expectErrorContract(await request(ctx.app).post('/api/v1/admin/jobs/dashboard-link').set(admin.headers), 404, 'DASHBOARD_DISABLED');
      expectErrorContract(await request(ctx.app).get('/admin/queues/'), 404, 'ROUTE_NOT_FOUND');
      expectErrorContract(await request(ctx.app).get('/api/v1/admin/jobs/stats').set(admin.headers), 503, 'JOB_QUEUE_UNAVAILABLE');
    } finally {
      await ctx.close();
    }
  });
});
