// Starts one MongoDB for the whole run (a single-node replica set, so transactions work) unless
// MONGODB_URI points at a real server. Each test file then uses its own database on it.
// Also names the run's Redis key prefix.
import { randomBytes } from 'node:crypto';
import { MongoMemoryReplSet } from 'mongodb-memory-server';

declare global {
  var __MONGO_REPLSET__: MongoMemoryReplSet | undefined;
}

export default async function globalSetup(): Promise<void> {
  // Every Redis key of this run (test contexts, spawned servers and workers, BullMQ queues) lives
  // under this prefix; global teardown deletes it, whatever a test forgot to clean up.
  process.env.TEST_REDIS_RUN_PREFIX = `test:run-${randomBytes(4).toString('hex')}:`;
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    process.env.TEST_MONGODB_REAL = '1';
    return;
  }
  const replSet = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
  globalThis.__MONGO_REPLSET__ = replSet;
  process.env.TEST_MONGODB_URI = replSet.getUri();
}
