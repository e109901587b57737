import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import Redis from 'ioredis';

/** Deletes every Redis key the run wrote (all under TEST_REDIS_RUN_PREFIX). */
async function removeRunKeys(): Promise<void> {
  const prefix = process.env.TEST_REDIS_RUN_PREFIX;
  const url = dotenv.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.env.test'))).REDIS_URL;
  if (!prefix || !url) return;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis is down: nothing this run could have left there either.
  } finally {
    redis.disconnect();
  }
}

export default async function globalTeardown(): Promise<void> {
  await removeRunKeys();
  await globalThis.__MONGO_REPLSET__?.stop();
}
