import { backoffDelayMs, emailJobOptions, toLogicalJobId, toQueueJobId, validateEmailRequest } from '../../src/jobs/email/job';
import { testConfig } from '../support/app';

describe('email job', () => {
  describe('validateEmailRequest', () => {
    it('when the request fits its kind, then the payload is returned with defaults and the request id', () => {
      const data = validateEmailRequest(
        { kind: 'order-confirmation', to: 'a@example.com', data: { orderId: 'o1', total: 12.5 }, jobId: 'order-confirmation:o1' },
        'req-12345678',
      );
      expect(data).toEqual({ kind: 'order-confirmation', to: 'a@example.com', data: { orderId: 'o1', total: 12.5, currency: 'USD' }, requestId: 'req-12345678' });
    });

    it.each([
      ['a job id of another kind', { kind: 'welcome', to: 'a@example.com', data: {}, jobId: 'order-status:1:paid' }, 'jobId'],
      ['a job id with unsafe characters', { kind: 'welcome', to: 'a@example.com', data: {}, jobId: 'welcome:../x' }, 'jobId'],
      ['a bad recipient', { kind: 'welcome', to: 'nobody', data: {}, jobId: 'welcome:1' }, 'to'],
      ['a missing status', { kind: 'order-status', to: 'a@example.com', data: { orderId: '1' }, jobId: 'order-status:1:x' }, 'data.status'],
      ['a reset without link or token', { kind: 'password-reset', to: 'a@example.com', data: {}, jobId: 'password-reset:t1' }, 'data'],
      ['an unknown kind', { kind: 'spam', to: 'a@example.com', data: {}, jobId: 'welcome:1' }, 'jobId'],
    ])('when the request has %s, then EMAIL_INVALID names the field', (_label, request, path) => {
      expect(() => validateEmailRequest(request as never)).toThrow(expect.objectContaining({ code: 'EMAIL_INVALID', status: 400 }));
      try {
        validateEmailRequest(request as never);
      } catch (err) {
        expect((err as { details: { path: string }[] }).details.map((d) => d.path)).toContain(path);
      }
    });
  });

  describe('job ids', () => {
    it('when a logical id goes to BullMQ and back, then it is unchanged and carries no ":"', () => {
      for (const id of ['welcome:abc', 'order-status:64f0c0ffee:shipped', 'password-reset:tok_1-2']) {
        expect(toQueueJobId(id)).not.toContain(':');
        expect(toLogicalJobId(toQueueJobId(id))).toBe(id);
      }
    });

    it('when options are built, then attempts, our backoff type and retention bounds come from config', () => {
      const config = testConfig({ EMAIL_ATTEMPTS: '7', EMAIL_BACKOFF_MS: '1000' });
      expect(emailJobOptions(config.email, 'welcome:1')).toEqual({
        jobId: 'welcome.1',
        attempts: 7,
        backoff: { type: 'email-exponential', delay: 1000 },
        removeOnComplete: { age: 604800, count: 10000 },
        removeOnFail: { age: 2592000, count: 10000 },
      });
    });
  });

  describe('backoffDelayMs', () => {
    it('when there is no jitter, then delays double from the base', () => {
      const settings = { backoffMs: 100, backoffJitter: 0 };
      expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, settings))).toEqual([100, 200, 400, 800]);
    });

    it('when jitter is 0.5, then each delay lies in [max/2, max] and never falls below the previous one', () => {
      const settings = { backoffMs: 100, backoffJitter: 0.5 };
      expect([1, 2, 3].map((n) => backoffDelayMs(n, settings, () => 0))).toEqual([50, 100, 200]);
      expect([1, 2, 3].map((n) => backoffDelayMs(n, settings, () => 0.999999))).toEqual([99, 199, 399]);
      // the highest delay of retry n is at most the lowest of retry n+1
      for (let n = 1; n < 6; n += 1) expect(backoffDelayMs(n, settings, () => 1)).toBeLessThanOrEqual(backoffDelayMs(n + 1, settings, () => 0));
    });
  });
});

describe('queueStats', () => {
  it('when the queue can be inspected, then its counts are returned under "email"; otherwise null', async () => {
    const { queueStats } = await import('../../src/jobs/queue-stats');
    const counts = { waiting: 1, active: 2, delayed: 3, completed: 4, failed: 5 };
    const managed = { enqueue: async () => ({ jobId: 'x' }), close: async () => undefined, stats: async () => counts, listFailed: async () => [], retryFailed: async () => 'not-found' as const };
    expect(await queueStats(managed)).toEqual({ email: counts });
    expect(await queueStats({ enqueue: async () => ({ jobId: 'x' }), close: async () => undefined })).toBeNull();
  });
});
