// Picks the email queue for the API process: BullMQ when Redis is configured, otherwise the
// in-process fallback (development only; bootstrap has already refused production without Redis).
import type Redis from 'ioredis';
import type { AppConfig } from '../../config';
import { logger } from '../../utils/logger';
import { createEmailProcessor } from './processor';
import { createBullEmailQueue, producerConnection } from './email.queue';
import type { ManagedEmailQueue } from './types';
import { createMailer } from './mailer';
import { createMemoryEmailQueue } from './memory-queue';

export function createEmailQueue(config: AppConfig, redis: Redis | null): ManagedEmailQueue {
  if (redis) return createBullEmailQueue(config, producerConnection(redis));
  if (config.isProduction) throw new Error('The in-memory email queue is not allowed in production');
  logger.warn('⚠ Email queue runs in-process without Redis: jobs are lost on restart (development only)');
  const mailer = createMailer(config);
  const queue = createMemoryEmailQueue({ config, process: createEmailProcessor({ mailer, config }) });
  return {
    ...queue,
    async close() {
      await queue.close();
      await mailer.close();
    },
  };
}
