// A Redis pub/sub nudge from the API to the relays: "an event was committed, publish now". Best
// effort only — a lost nudge costs at most one poll interval, never an event.
import type Redis from 'ioredis';
import { logger } from '../../utils/logger';

export function nudgeChannel(keyPrefix: string): string {
  return `${keyPrefix}outbox:nudge`;
}

/** Fire-and-forget publisher for the API; silent while Redis is down (the poll covers it). */
export function createNudger(redis: Redis | null, keyPrefix: string): () => void {
  if (!redis) return () => undefined;
  const channel = nudgeChannel(keyPrefix);
  return () => {
    if (redis.status !== 'ready') return;
    redis.publish(channel, '1').catch(() => undefined);
  };
}

/** Subscribes a dedicated connection (a subscriber can do nothing else); returns its closer. */
export async function subscribeToNudges(redis: Redis, keyPrefix: string, onNudge: () => void): Promise<{ close(): Promise<void> }> {
  const subscriber = redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
  subscriber.on('error', (err: Error) => logger.debug('outbox nudge subscriber error', { error: err.message }));
  subscriber.on('message', () => onNudge());
  // ioredis re-subscribes after a reconnect; a missed nudge is covered by polling.
  await subscriber.subscribe(nudgeChannel(keyPrefix)).catch((err: Error) => logger.warn('outbox nudges unavailable; polling only', { error: err.message }));
  return {
    async close() {
      if (subscriber.status === 'ready') await subscriber.quit().catch(() => subscriber.disconnect());
      else subscriber.disconnect();
    },
  };
}
