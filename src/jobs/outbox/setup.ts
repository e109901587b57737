// The worker's relay: outbox → email queue, woken by API nudges over Redis pub/sub and by polling.
import type Redis from 'ioredis';
import { subscribeToNudges } from './nudge';
import type { OutboxRelay } from './relay';

export async function startOutboxRelay(relay: OutboxRelay, redis: Redis, keyPrefix: string): Promise<{ relay: OutboxRelay; close(): Promise<void> }> {
  const nudges = await subscribeToNudges(redis, keyPrefix, () => relay.nudge());
  relay.start();
  return {
    relay,
    async close() {
      await nudges.close();
      await relay.stop();
    },
  };
}
