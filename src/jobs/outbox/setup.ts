// The worker's relay: outbox → email queue, woken by API nudges over Redis pub/sub and by polling.
import type Redis from 'ioredis';
import type { AppConfig } from '../../config';
import { OutboxEvent } from '../../models/OutboxEvent';
import { createOutboxRepository } from '../../repositories/outbox.repository';
import type { EmailQueue } from '../email/types';
import { subscribeToNudges } from './nudge';
import { createEventPublisher } from './publisher';
import { createOutboxRelay, type OutboxRelay } from './relay';

export async function startOutboxRelay(config: AppConfig, redis: Redis, emailQueue: EmailQueue): Promise<{ relay: OutboxRelay; close(): Promise<void> }> {
  const relay = createOutboxRelay({ repository: createOutboxRepository(OutboxEvent), publish: createEventPublisher(emailQueue), settings: config.outbox });
  const nudges = await subscribeToNudges(redis, config.redis.keyPrefix, () => relay.nudge());
  relay.start();
  return {
    relay,
    async close() {
      await nudges.close();
      await relay.stop();
    },
  };
}
