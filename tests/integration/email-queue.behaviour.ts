// One behavioural suite for every EmailQueue implementation (BullMQ + worker, in-memory): each
// implementation's test file calls it with a factory, so both must behave the same.
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../src/config';
import type { ManagedEmailQueue } from '../../src/jobs/email/types';
import { runWithContext } from '../../src/utils/tracing';
import { testConfig } from '../support/app';
import { startSmtpServer, waitFor, type TestSmtpServer } from '../support/email-smtp';
import { testKeyPrefix } from '../support/env';

export interface QueueUnderTest {
  readonly queue: ManagedEmailQueue;
  close(): Promise<void>;
}

export type QueueFactory = (config: AppConfig) => Promise<QueueUnderTest>;

function behaviourConfig(smtpUrl: string, env: Record<string, string> = {}): AppConfig {
  return testConfig({
    REDIS_KEY_PREFIX: testKeyPrefix(),
    SMTP_URL: smtpUrl,
    EMAIL_ATTEMPTS: String(ATTEMPTS),
    EMAIL_BACKOFF_MS: String(BACKOFF_MS),
    EMAIL_BACKOFF_JITTER: '0',
    ...env,
  });
}

const ATTEMPTS = 3;
const BACKOFF_MS = 200;

export function emailQueueBehaviour(name: string, factory: QueueFactory): void {
  describe(`EmailQueue behaviour: ${name}`, () => {
    let smtp: TestSmtpServer;
    let subject: QueueUnderTest;

    beforeEach(async () => {
      smtp = await startSmtpServer();
      subject = await factory(behaviourConfig(smtp.url));
    });

    afterEach(async () => {
      await subject.close();
      await smtp.close();
    });

    const id = () => randomBytes(6).toString('hex');

    it('when an email is enqueued, then the SMTP server receives it with the right recipient, subject and body', async () => {
      const orderId = id();
      await subject.queue.enqueue({
        kind: 'order-status',
        to: 'buyer@example.com',
        data: { orderId, status: 'shipped', name: '<b>Ada</b>' },
        jobId: `order-status:${orderId}:shipped`,
      });

      const [mail] = await waitFor(() => (smtp.received.length ? smtp.received : null), 10_000, 'delivery');
      expect(mail.to).toEqual(['buyer@example.com']);
      expect(mail.subject).toBe(`Order ${orderId} is now shipped`);
      expect(mail.raw).toContain(`Your order ${orderId} is now shipped.`);
      expect(mail.raw).toContain('&lt;b&gt;Ada&lt;/b&gt;');
      expect(mail.raw).not.toContain('<b>Ada</b>,</p>');
      expect(mail.jobId).toBe(`order-status:${orderId}:shipped`);
      await waitFor(async () => (await subject.queue.stats()).completed === 1, 5000, 'completed count');
    });

    it('when the same logical email is enqueued twice, then there is one job and one message', async () => {
      const accountId = id();
      const email = { kind: 'welcome' as const, to: 'new@example.com', data: { name: 'Ada' }, jobId: `welcome:${accountId}` };
      const [first, second] = [await subject.queue.enqueue(email), await subject.queue.enqueue(email)];
      expect(first).toEqual({ jobId: `welcome:${accountId}` });
      expect(second).toEqual(first);
      await waitFor(async () => (await subject.queue.stats()).completed === 1, 10_000, 'completion');
      await subject.queue.enqueue(email); // after delivery as well
      const stats = await subject.queue.stats();
      expect(stats).toMatchObject({ waiting: 0, delayed: 0, active: 0, completed: 1, failed: 0 });
      expect(smtp.received).toHaveLength(1);
    });

    it('when SMTP rejects the first 2 attempts, then the email is delivered exactly once after 2 retries with growing delays', async () => {
      smtp.behaviour = { rejectFirst: 2 };
      await subject.queue.enqueue({ kind: 'welcome', to: 'flaky@example.com', data: {}, jobId: `welcome:${id()}` });

      await waitFor(async () => (await subject.queue.stats()).completed === 1, 15_000, 'delivery after retries');
      expect(smtp.received).toHaveLength(1);
      expect(smtp.attemptTimes).toHaveLength(3);
      const gaps = [smtp.attemptTimes[1] - smtp.attemptTimes[0], smtp.attemptTimes[2] - smtp.attemptTimes[1]];
      // jitter 0: the retries wait base·2^(n-1) = 200 ms, then 400 ms (plus processing time).
      expect(gaps[0]).toBeGreaterThanOrEqual(BACKOFF_MS - 5);
      expect(gaps[1]).toBeGreaterThanOrEqual(2 * BACKOFF_MS - 5);
      expect(gaps[1]).toBeGreaterThan(gaps[0]);
    });

    it('when SMTP always fails, then the job ends in the failed set after the configured attempts and an admin retry re-runs it', async () => {
      smtp.behaviour = { rejectAll: true };
      const jobId = `password-reset:${id()}`;
      await runWithContext({ requestId: 'req-dead-letter-1' }, () =>
        subject.queue.enqueue({ kind: 'password-reset', to: 'x@example.com', data: { token: 'abc' }, jobId }),
      );

      const [failed] = await waitFor(async () => {
        const list = await subject.queue.listFailed(10);
        return list.length ? list : null;
      }, 15_000, 'dead letter');
      expect(failed).toMatchObject({ jobId, kind: 'password-reset', to: 'x@example.com', attemptsMade: ATTEMPTS, requestId: 'req-dead-letter-1' });
      expect(failed.failedReason).toMatch(/mailbox unavailable/);
      expect(smtp.attemptTimes).toHaveLength(ATTEMPTS);
      expect(smtp.received).toHaveLength(0);

      smtp.behaviour = {};
      expect(await subject.queue.retryFailed(jobId)).toBe('retried');
      await waitFor(() => smtp.received.length === 1, 10_000, 'delivery after admin retry');
      await waitFor(async () => (await subject.queue.stats()).failed === 0, 5000, 'failed set emptied');
      expect(await subject.queue.retryFailed(jobId)).toBe('not-failed');
      expect(await subject.queue.retryFailed('welcome:nope')).toBe('not-found');
    });

    it('when the payload does not fit its kind, then enqueue throws EMAIL_INVALID and nothing is queued', async () => {
      await expect(subject.queue.enqueue({ kind: 'order-status', to: 'a@example.com', data: { orderId: 'o1' }, jobId: 'order-status:o1:x' })).rejects.toMatchObject({
        code: 'EMAIL_INVALID',
      });
      await expect(subject.queue.enqueue({ kind: 'welcome', to: 'not-an-email', data: {}, jobId: 'welcome:a1' })).rejects.toMatchObject({ code: 'EMAIL_INVALID' });
      await expect(subject.queue.enqueue({ kind: 'welcome', to: 'a@example.com', data: {}, jobId: 'order-status:a1' })).rejects.toMatchObject({ code: 'EMAIL_INVALID' });
      expect(await subject.queue.stats()).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
    });

    it('when EMAIL_RATE_LIMIT_MAX is 1 per 300 ms, then three emails take at least two windows to reach SMTP', async () => {
      await subject.close();
      subject = await factory(behaviourConfig(smtp.url, { EMAIL_RATE_LIMIT_MAX: '1', EMAIL_RATE_LIMIT_WINDOW_MS: '300' }));
      const enqueuedAt = Date.now();
      for (const n of [1, 2, 3]) await subject.queue.enqueue({ kind: 'welcome', to: `r${n}@example.com`, data: {}, jobId: `welcome:rl${n}-${id()}` });

      await waitFor(() => smtp.received.length === 3, 10_000, 'three deliveries');
      // The limiter spaces job *starts* a window apart; arrival gaps also include each send's own
      // latency (noisy on a loaded machine), so the robust bound is from enqueue to the third arrival.
      expect(smtp.attemptTimes[2] - enqueuedAt).toBeGreaterThanOrEqual(2 * 300 - 20);
    });
  });
}
