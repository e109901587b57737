// The shared ioredis connection (rate limits, cache, queue producer). Without REDIS_URL the
// modules fall back to in-process implementations, which is allowed outside production only.
import Redis from 'ioredis';
import type { AppConfig } from '../config';
import { logger } from '../utils/logger';

export function createRedisClient(url: string, config: AppConfig['redis']): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    // Fail fast when Redis is away instead of queueing commands: callers decide how to degrade.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // Commands issued in the same tick (rate-limit counters and cache reads of concurrent
    // requests) leave in one write instead of one write each.
    enableAutoPipelining: true,
  });
  let wasReady = false;
  client.on('ready', () => {
    if (wasReady) logger.info('Redis reconnected');
    wasReady = true;
  });
  client.on('error', (err: Error) => logger.warn('Redis connection error', { error: err.message }));
  return client;
}

export async function connectRedis(config: AppConfig): Promise<Redis | null> {
  if (!config.redis.url) {
    if (config.isProduction) throw new Error('REDIS_URL is required in production');
    return null;
  }
  const client = createRedisClient(config.redis.url, config.redis);
  await client.connect();
  await client.ping();
  return client;
}
