// Per-file database isolation: every test file connects to its own database and drops it after.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { bindModels } from '../../src/loaders/repositories';

export function testMongoUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the tests through jest (globalSetup starts MongoDB)');
  return uri;
}

/** True when the suite runs against a real MongoDB (MONGODB_URI set), not the in-memory test server. */
export function isRealMongo(): boolean {
  return process.env.TEST_MONGODB_REAL === '1';
}

/**
 * Marks a test that needs behaviour the in-memory test server lacks: it runs only against a
 * real MongoDB. Every use must name the gap in a comment and in the issue note.
 */
export const itRealMongo: jest.It = isRealMongo() ? it : it.skip;

export function uniqueDbName(prefix = 't'): string {
  return `${prefix}_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
}

export async function connectTestDatabase(dbName = uniqueDbName()): Promise<typeof mongoose> {
  await mongoose.connect(testMongoUri(), { dbName, serverSelectionTimeoutMS: 5000, bufferCommands: false });
  // Bind the models to this connection and build their indexes, so unique constraints hold from the first test.
  bindModels(mongoose.connection);
  await Promise.all(Object.values(mongoose.connection.models).map((model) => model.init()));
  return mongoose;
}

export async function clearTestDatabase(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) return;
  const collections = await db.collections();
  await Promise.all(collections.map((c) => c.deleteMany({})));
}

export async function disconnectTestDatabase(): Promise<void> {
  if (mongoose.connection.readyState === 1) await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
}

/** Registers beforeAll/afterAll hooks that give the current file its own database. */
export function useTestDatabase(): void {
  beforeAll(async () => {
    await connectTestDatabase();
  });
  afterAll(async () => {
    await disconnectTestDatabase();
  });
}
