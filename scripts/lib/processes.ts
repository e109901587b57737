// Helpers shared by the end-to-end and PM2 smoke scripts: a throw-away MongoDB replica set,
// a free loopback port, polling with a deadline, and cleanup of this run's Redis keys.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import Redis from 'ioredis';
import { envSchema } from '../../src/config/schema';

export interface MongoHandle {
  readonly uri: string;
  stop(): Promise<void>;
}

/** MONGODB_URI when given (a real server), else an in-memory single-node replica set. */
export async function startMongo(): Promise<MongoHandle> {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, stop: async () => undefined };
  const { MongoMemoryReplSet } = await import('mongodb-memory-server');
  const replSet = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
  return { uri: replSet.getUri(), stop: async () => void (await replSet.stop()) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function uniquePrefix(name: string): string {
  return `${name}:${randomBytes(4).toString('hex')}:`;
}

export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Resolves when GET url answers 200 (a deadline, never a fixed sleep). */
export function waitForHttp200(url: string, timeoutMs: number): Promise<true> {
  return pollUntil(`200 from ${url}`, async () => ((await fetch(url)).status === 200 ? true : undefined), timeoutMs);
}

export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * `env` without any variable the service's config reads: a script (or test) that starts the
 * service decides its configuration itself, whatever the caller's shell exports.
 */
export function withoutServiceConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const known = new Set([...Object.keys((envSchema.describe() as { keys: Record<string, unknown> }).keys), 'ENV_FILE']);
  return Object.fromEntries(Object.entries(env).filter(([key]) => !known.has(key)));
}
