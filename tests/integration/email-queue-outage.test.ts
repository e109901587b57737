// Redis away: enqueue fails fast with a typed 503 instead of hanging the HTTP request.
import { createBullEmailQueue, producerConnection } from '../../src/jobs/email/email.queue';
import { createRedisClient } from '../../src/loaders/redis';
import { testConfig } from '../support/app';

describe('BullMQ email queue when Redis is unreachable', () => {
  it('when a service enqueues, then EMAIL_QUEUE_UNAVAILABLE (503) is thrown within the command timeout', async () => {
    const config = testConfig({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: '500' });
    const shared = createRedisClient(config.redis.url!, config.redis);
    const queue = createBullEmailQueue(config, producerConnection(shared));
    try {
      const started = Date.now();
      await expect(queue.enqueue({ kind: 'welcome', to: 'a@example.com', data: {}, jobId: 'welcome:outage' })).rejects.toMatchObject({
        status: 503,
        code: 'EMAIL_QUEUE_UNAVAILABLE',
      });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await queue.close();
      shared.disconnect();
    }
  });
});
