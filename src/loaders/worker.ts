// Worker start-up (entry: src/worker.ts): config → logger → Redis → MongoDB + domain services (for
// the outbox relay and the maintenance tasks) → outbox relay → email worker → maintenance schedules
// → optional /health, /ready and /metrics port (WORKER_HEALTH_PORT); no API server.
// SIGTERM: stop taking jobs, finish the active ones (bounded), close, exit 0.
import { config, configSource } from '../config';
import { reportAttachments } from '../jobs/email/report-attachments';
import { createEmailProcessor } from '../jobs/email/processor';
import { createEmailQueue } from '../jobs/email/setup';
import { startEmailWorker, workerConnection } from '../jobs/email/worker';
import { createMailer } from '../jobs/email/mailer';
import { startOutboxRelay } from '../jobs/outbox/setup';
import { createBullImportQueue, startImportWorker } from '../jobs/inventory/import.queue';
import { producerConnection } from '../jobs/email/email.queue';
import { createEventConfirmer } from '../jobs/outbox/confirm';
import { startEventWorker } from '../jobs/outbox/event-queue';
import { createMaintenanceScheduler } from '../jobs/scheduler';
import { createWorkerMetrics, startWorkerHealthServer } from '../jobs/worker-health';
import { logger } from '../utils/logger';
import { createShutdownController, type Closable } from '../utils/shutdown';
import { ANALYTICS_QUEUE_NAME, createServices } from './container';
import { connectDatabase } from './db';
import { maintenanceTasks } from './maintenance';
import { connectRedis } from './redis';

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

  // The maintenance tasks run domain services (the stale-order sweep cancels through the order
  // service), so the worker gets the same objects from the composition root as the API does.
  const db = await connectDatabase(config);
  resources.push({ name: 'MongoDB', close: () => db.close() });
  logger.info('✓ Database connected');
  // A producer, so maintenance tasks send the emails their services send (e.g. status emails).
  const emailQueue = createEmailQueue(config, redis);
  resources.push({ name: 'Email queue producer', close: () => emailQueue.close() });
  const importQueue = createBullImportQueue(config, producerConnection(redis));
  resources.push({ name: 'Inventory import queue producer', close: () => importQueue.close() });
  const services = createServices({ config, redis, emailQueue, mongo: db.connection, importQueue });
  const tasks = maintenanceTasks(config, services);

  // The relay publishes committed outbox events to the queue; API nudges over Redis wake it early.
  const outbox = await startOutboxRelay(services.outboxRelay, redis, config.redis.keyPrefix);
  resources.push({ name: 'Outbox relay', close: () => outbox.close() });
  logger.info('✓ Outbox relay started', { pollMs: config.outbox.pollMs, batchSize: config.outbox.batchSize });

  const mailer = createMailer(config);
  resources.push({ name: 'Mailer', close: () => mailer.close() });
  const connection = workerConnection(redis);
  resources.push({ name: 'Worker Redis connection', close: async () => void (await connection.quit()) });

  const confirm = createEventConfirmer(services.repositories.outbox);
  // The analytics consumer: folds order events into the hourly sales rollups (once per event id).
  const analyticsWorker = startEventWorker(config, ANALYTICS_QUEUE_NAME, connection, async (event) => {
    await services.analytics.applyEvent(event);
    await confirm(event.id, 'analytics').catch((err: Error) => logger.warn('outbox confirmation not recorded', { jobId: event.id, error: err.message }));
  });
  resources.push({ name: 'Analytics worker', close: () => analyticsWorker.close() });
  resources.push({ name: 'Analytics queue producer', close: () => services.analyticsQueue.close() });
  logger.info('✓ Analytics worker started');

  const metrics = createWorkerMetrics();
  const emailWorker = startEmailWorker(config, connection, metrics.instrument(
      createEmailProcessor({
        mailer,
        config,
        ledger: services.repositories.deliveries,
        retentionSeconds: config.outbox.retentionSeconds,
        confirm: (jobId) => confirm(jobId, 'email'),
        openAttachment: reportAttachments(services.repositories.reports),
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

  // Inventory imports: one at a time, through the same import processor tests run directly.
  const importWorker = startImportWorker(config, connection, services.processImport);
  resources.push({ name: 'Inventory import worker', close: () => importWorker.close(timeoutMs) });
  await importWorker.worker.waitUntilReady();
  logger.info('✓ Inventory import worker started');

  if (tasks.length) {
    const scheduler = createMaintenanceScheduler(config, connection);
    resources.push({ name: 'Maintenance scheduler', close: () => scheduler.close(timeoutMs) });
    for (const task of tasks) await scheduler.registerRepeatable(task.name, 'everyMs' in task ? task.everyMs : task.cron, task.handler);
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
