// Worker process entry (`npm run worker`, `node dist/jobs/worker.js`): config → logger → Redis →
// MongoDB → outbox relay → email worker → maintenance schedules → optional /health, /ready and
// /metrics port (WORKER_HEALTH_PORT); no API server.
// SIGTERM: stop taking jobs, finish the active ones (bounded), close, exit 0.
import { config, configSource } from '../config';
import { connectDatabase } from '../loaders/db';
import { connectRedis } from '../loaders/redis';
import { flushLogger, logger } from '../utils/logger';
import { createShutdownController, type Closable } from '../utils/shutdown';
import { createEmailProcessor } from './email/processor';
import { createEmailQueue } from './email/setup';
import { startEmailWorker, workerConnection } from './email/worker';
import { maintenanceTasks, type MaintenanceContext } from './maintenance';
import { createMailer } from './email/mailer';
import { createMaintenanceScheduler } from './scheduler';
import { startOutboxRelay } from './outbox/setup';
import { EmailDelivery } from '../models/EmailDelivery';
import { OutboxEvent } from '../models/OutboxEvent';
import { createOutboxRepository } from '../repositories/outbox.repository';
import { createDeliveryLedger } from '../repositories/delivery.repository';
import { createWorkerMetrics, startWorkerHealthServer } from './worker-health';

export async function bootstrapWorker(): Promise<void> {
  const resources: Closable[] = [];
  const timeoutMs = config.http.shutdownTimeoutMs;
  const lifecycle = createShutdownController(() => ({ timeoutMs, resources: [...resources].reverse() }));
  lifecycle.installProcessHandlers();

  logger.info(`✓ Config loaded (profile: ${config.env}, file: ${configSource ?? 'none, environment only'})`);
  logger.info(`✓ Logger ready (level: ${config.log.level})`);

  const redis = await connectRedis(config);
  if (!redis) throw new Error('REDIS_URL is required by the worker (without Redis the API delivers email in-process)');
  resources.push({ name: 'Redis', close: async () => void (await redis.quit()) });
  logger.info('✓ Redis connected');

  // The outbox relay and the delivery ledger live in MongoDB, so the worker always connects.
  const db = await connectDatabase(config);
  resources.push({ name: 'MongoDB', close: () => db.close() });
  logger.info('✓ Database connected');
  const emailQueue = createEmailQueue(config, redis);
  resources.push({ name: 'Email queue producer', close: () => emailQueue.close() });
  const context: MaintenanceContext = { config, mongo: db.connection, redis, emailQueue };

  const outboxEvents = createOutboxRepository(OutboxEvent);
  const outbox = await startOutboxRelay(config, redis, emailQueue);
  resources.push({ name: 'Outbox relay', close: () => outbox.close() });
  logger.info('✓ Outbox relay started', { pollMs: config.outbox.pollMs, batchSize: config.outbox.batchSize });

  const mailer = createMailer(config);
  resources.push({ name: 'Mailer', close: () => mailer.close() });
  const connection = workerConnection(redis);
  resources.push({ name: 'Worker Redis connection', close: async () => void (await connection.quit()) });

  const metrics = createWorkerMetrics();
  const emailWorker = startEmailWorker(config, connection, metrics.instrument(
      createEmailProcessor({
        mailer,
        config,
        ledger: createDeliveryLedger(EmailDelivery),
        retentionSeconds: config.outbox.retentionSeconds,
        confirm: (jobId) => outboxEvents.confirm(jobId, new Date()),
      }),
    ));
  resources.push({
    name: 'Email worker',
    close: async () => {
      const outcome = await emailWorker.close(timeoutMs);
      if (outcome === 'forced') logger.warn('Email worker closed after timeout; unfinished jobs are retried as stalled jobs');
    },
  });
  await emailWorker.worker.waitUntilReady();
  logger.info('✓ Email worker started', {
    transport: config.email.smtpUrl ? 'smtp' : `files in ${config.email.mailDir}`,
    concurrency: config.email.workerConcurrency,
  });

  if (maintenanceTasks.length) {
    const scheduler = createMaintenanceScheduler(config, connection);
    resources.push({ name: 'Maintenance scheduler', close: () => scheduler.close(timeoutMs) });
    for (const task of maintenanceTasks) await scheduler.registerRepeatable(task.name, task.everyMs(config), task.create(context));
  }
  if (config.email.workerHealthPort !== undefined) {
    const health = await startWorkerHealthServer({
      host: config.http.host,
      port: config.email.workerHealthPort,
      redis,
      isRunning: () => emailWorker.worker.isRunning() && !lifecycle.isDraining(),
      relay: () => outbox.relay.status(),
      metrics,
    });
    // Closed first on shutdown (resources close in reverse), so probes see the worker go away.
    resources.push({ name: 'Health server', close: () => health.close() });
    logger.info(`✓ Health server on port ${health.port}`);
  }
  logger.info('✓ Worker ready');
  process.send?.('ready');
}

if (require.main === module) {
  bootstrapWorker().catch(async (err: Error) => {
    logger.error('✗ Worker start-up failed', { error: err.message, stack: err.stack });
    await flushLogger();
    process.exit(1);
  });
}
