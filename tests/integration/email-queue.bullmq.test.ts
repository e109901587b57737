// The BullMQ queue and its worker (in this process, on the real Redis) pass the shared suite.
import type { AppConfig } from '../../src/config';
import { createEmailProcessor } from '../../src/jobs/email/processor';
import { createBullEmailQueue, producerConnection } from '../../src/jobs/email/email.queue';
import { startEmailWorker, workerConnection } from '../../src/jobs/email/worker';
import { createMailer } from '../../src/jobs/email/mailer';
import { createRedisClient } from '../../src/loaders/redis';
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
