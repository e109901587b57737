// Builds the real app in-process for supertest, against the file's own database and, when asked,
// the real Redis with a key prefix unique to the test context (so files can run in parallel).
import type { Express } from 'express';
import type Redis from 'ioredis';
import mongoose from 'mongoose';
import { loadConfig, type AppConfig } from '../../src/config';
import type { EmailQueue } from '../../src/jobs/email/types';
import type { RouteDefinition } from '../../src/routes/route-table';
import { buildApp } from '../../src/loaders/app';
import { createContainer, type Container } from '../../src/loaders/container';
import { createRedisClient } from '../../src/loaders/redis';
import { buildOpenApiDocument } from '../../src/routes/openapi';
import { openApiOptions } from '../../src/routes/ops.routes';
import { createRecordingEmailQueue, type RecordingEmailQueue } from './fakes';
import { hermeticEnv, testKeyPrefix } from './env';
import { checkResponses, type ContractDocument } from './response-contract';

export interface TestContext {
  readonly app: Express;
  readonly config: AppConfig;
  readonly container: Container;
  readonly redis: Redis | null;
  readonly emailQueue: EmailQueue | RecordingEmailQueue;
  readonly endpointCount: number;
  /** The route declarations the app was built from (the security suite checks vectors against them). */
  readonly routes: readonly RouteDefinition[];
  /** Runs relay passes until the outbox has nothing pending that can be published now. */
  deliverOutbox(): Promise<void>;
  close(): Promise<void>;
}

export interface TestContextOptions {
  /** Environment overrides, parsed by the real config schema. */
  readonly env?: Record<string, string | undefined>;
  /** Connect the real Redis (REDIS_URL from .env.test) with a unique key prefix. Default false. */
  readonly redis?: boolean;
  readonly emailQueue?: EmailQueue;
  readonly mongo?: mongoose.Connection;
  /** Passed to the health service (lets a test make /ready fail in a chosen way). */
  readonly isDraining?: () => boolean;
}

export function testConfig(env: Record<string, string | undefined> = {}): AppConfig {
  return loadConfig({ ...hermeticEnv(), NODE_ENV: 'test', ...env }).config;
}

export async function createTestContext(options: TestContextOptions = {}): Promise<TestContext> {
  const prefix = testKeyPrefix();
  const config = testConfig({ REDIS_KEY_PREFIX: prefix, ...options.env });
  let redis: Redis | null = null;
  if (options.redis && config.redis.url) {
    redis = createRedisClient(config.redis.url, config.redis);
    await redis.connect();
  }
  const emailQueue = options.emailQueue ?? createRecordingEmailQueue();
  const container = createContainer({ config, redis, emailQueue, mongo: options.mongo ?? mongoose.connection, isDraining: options.isDraining });
  const { app, endpointCount, routes } = buildApp(container);
  // Every response this app sends is checked against the document generated from these routes.
  const document = buildOpenApiDocument(routes, openApiOptions(config)) as unknown as ContractDocument;
  return {
    app: checkResponses(app, document),
    config,
    container,
    redis,
    emailQueue,
    endpointCount,
    routes,
    async deliverOutbox() {
      // Another pass while a batch was full, or while an event failed to publish: an inline consumer
      // (analytics without Redis) can lose a write-conflict race with a concurrent one and is retried
      // by the next pass, as BullMQ retries it in production. Bounded, so a never-publishable event
      // leaves it to the test's assertions.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const pass = await container.outboxRelay.runOnce();
        if ((!pass.full && pass.failed === 0) || Date.now() > deadline) return;
      }
    },
    async close() {
      if (redis) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length) await redis.del(...keys);
        await redis.quit();
      }
    },
  };
}
