// Starts one MongoDB for the whole run (a single-node replica set, so transactions work) unless
// MONGODB_URI points at a real server. Each test file then uses its own database on it.
import { MongoMemoryReplSet } from 'mongodb-memory-server';

declare global {
  var __MONGO_REPLSET__: MongoMemoryReplSet | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    process.env.TEST_MONGODB_REAL = '1';
    return;
  }
  const replSet = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
  globalThis.__MONGO_REPLSET__ = replSet;
  process.env.TEST_MONGODB_URI = replSet.getUri();
}
