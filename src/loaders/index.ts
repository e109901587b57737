// Start-up in a fixed order — config → logger → MongoDB → Redis/queue → app → listen —
// one log line per step; any failure stops the process loudly.
import type { Server } from 'node:http';
import type Redis from 'ioredis';
import { config, configSource } from '../config';
import type { EmailQueue } from '../jobs/email/types';
import { createEmailQueue } from '../jobs/email/setup';
import { producerConnection } from '../jobs/email/email.queue';
import { createBullImportQueue } from '../jobs/inventory/import.queue';
import { logger } from '../utils/logger';
import { createShutdownController, trackRequests, type Closable, type RequestTracker, type ShutdownController } from '../utils/shutdown';
import { buildApp } from './app';
import { createContainer } from './container';
import { createSeedRepositories } from './repositories';
import { connectDatabase, type DatabaseHandle } from './db';
import { connectRedis } from './redis';
import { seedDevelopmentData } from './seed';
import { seedDemoImages } from './seed-images';
import { seedDemoReviews } from './seed-reviews';

export interface Runtime {
  readonly server: Server;
  readonly port: number;
  readonly lifecycle: ShutdownController;
}

export async function bootstrap(): Promise<Runtime> {
  const resources: Closable[] = [];
  const started: { server?: Server; requests?: RequestTracker } = {};
  const lifecycle = createShutdownController(() => ({
    server: started.server,
    requests: started.requests,
    timeoutMs: config.http.shutdownTimeoutMs,
    // Closed in reverse order of start-up: consumers before the connections they use.
    resources: [...resources].reverse(),
  }));
  lifecycle.installProcessHandlers();

  // 1–2. config was validated on import; the logger is built from it.
  logger.info(`✓ Config loaded (profile: ${config.env}, file: ${configSource ?? 'none, environment only'})`);
  logger.info(`✓ Logger ready (level: ${config.log.level}${config.log.toFiles ? `, files: ${config.log.dir}/` : ''})`);

  // 3. database
  const db: DatabaseHandle = await connectDatabase(config);
  resources.push({ name: 'MongoDB', close: () => db.close() });
  logger.info(`✓ Database connected${db.embedded ? ' (embedded in-memory server)' : ''}`, { uri: db.uri });
  // Only the throwaway embedded database is seeded automatically, and only when empty.
  let seededCatalog = false;
  let seedRepositories: Awaited<ReturnType<typeof createSeedRepositories>> | null = null;
  if (db.embedded && config.mongo.seedOnEmbeddedStart) {
    seedRepositories = await createSeedRepositories(db.connection, config);
    ({ seededCatalog } = await seedDevelopmentData({ ...seedRepositories, isProduction: config.isProduction }));
  }

  // 4. Redis and the email queue
  const redis: Redis | null = await connectRedis(config);
  if (redis) {
    resources.push({ name: 'Redis', close: async () => void (await redis.quit()) });
    logger.info('✓ Redis connected');
  } else {
    logger.warn('⚠ REDIS_URL is not set: rate limits, cache and queue use in-process fallbacks (development only)');
  }
  // BullMQ producer over its own duplicate of the Redis client, or the in-process fallback.
  const emailQueue: EmailQueue = createEmailQueue(config, redis);
  resources.push({ name: 'Email queue', close: () => emailQueue.close() });
  logger.info(`✓ Email queue ready (${redis ? 'BullMQ' : 'in-process'})`);

  // 5. app
  // Inventory imports are applied by the worker; without Redis, in this process.
  const importQueue = redis ? createBullImportQueue(config, producerConnection(redis)) : undefined;
  if (importQueue) resources.push({ name: 'Inventory import queue', close: () => importQueue.close() });
  const container = createContainer({ config, redis, emailQueue, mongo: db.connection, isDraining: lifecycle.isDraining, importQueue });
  // Reset requests finish after their 202; let them complete before the queue and database close.
  resources.push({ name: 'Password reset requests', close: () => container.passwordReset.drain() });
  // Without Redis there is no worker: this process relays its own outbox to the in-process queue.
  if (!redis) {
    container.outboxRelay.start();
    resources.push({ name: 'Outbox relay (in-process)', close: () => container.outboxRelay.stop() });
  }
  // Decided once, before the first order: transactions (replica set) or the compensating path. Logged by the probe.
  await container.transactions.supportsTransactions();
  // Demo images go through the real upload pipeline, so they need the container.
  if (seededCatalog && seedRepositories) {
    await seedDemoImages({ media: container.media, products: seedRepositories.products });
    await seedDemoReviews({ reviews: container.reviews, repositories: seedRepositories });
  }
  const { app, endpointCount } = buildApp(container);
  logger.info('✓ Middlewares loaded');
  logger.info(`✓ Routes mounted: ${endpointCount} endpoints`);

  // 6. listen
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.http.port, config.http.host, (err?: Error) => (err ? reject(err) : resolve(listening)));
  });
  started.server = server;
  started.requests = trackRequests(server);
  server.keepAliveTimeout = 65_000; // longer than typical proxy idle timeouts, so the proxy closes first
  server.headersTimeout = 66_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.info(`✓ Server started on port ${port}`);
  process.send?.('ready');
  return { server, port, lifecycle };
}
