// The BullMQ queue and its worker (in this process, on the real Redis) pass the shared suite.
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../src/config';
import { createEmailProcessor } from '../../src/jobs/email.processor';
import { createBullEmailQueue, producerConnection } from '../../src/jobs/email.queue';
import { startEmailWorker, workerConnection } from '../../src/jobs/email.worker';
import { createMailer } from '../../src/jobs/mailer';
import { createRedisClient } from '../../src/loaders/redis';
import { testConfig } from '../support/app';
import { startSmtpServer, waitFor } from '../support/email-smtp';
import { emailQueueBehaviour } from './email-queue.behaviour';

async function bullQueue(config: AppConfig) {
  const shared = createRedisClient(config.redis.url!, config.redis);
  await shared.connect();
  const queue = createBullEmailQueue(config, producerConnection(shared));
  const mailer = createMailer(config);
  const connection = workerConnection(shared);
  const worker = startEmailWorker(config, connection, createEmailProcessor({ mailer, config }));
  await worker.worker.waitUntilReady();
  return {
    queue,
    async close() {
      await worker.close(5000);
      await queue.queue.obliterate({ force: true });
      await queue.close();
      await mailer.close();
      await connection.quit();
      await shared.quit();
    },
  };
}

emailQueueBehaviour('BullMQ', bullQueue);

describe('BullMQ email worker rate limit', () => {
  it('when EMAIL_RATE_LIMIT_MAX is 1 per 300 ms, then three emails reach SMTP at least one window apart', async () => {
    const smtp = await startSmtpServer();
    const config = testConfig({
      REDIS_KEY_PREFIX: `test:${randomBytes(5).toString('hex')}:`,
      SMTP_URL: smtp.url,
      EMAIL_RATE_LIMIT_MAX: '1',
      EMAIL_RATE_LIMIT_WINDOW_MS: '300',
    });
    const subject = await bullQueue(config);
    try {
      for (const n of [1, 2, 3]) await subject.queue.enqueue({ kind: 'welcome', to: `r${n}@example.com`, data: {}, jobId: `welcome:rl${n}` });
      await waitFor(() => smtp.received.length === 3, 10_000, 'three deliveries');
      const gaps = smtp.attemptTimes.slice(1).map((t, i) => t - smtp.attemptTimes[i]);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(250);
    } finally {
      await subject.close();
      await smtp.close();
    }
  });
});
