// Repeatable maintenance jobs on BullMQ job schedulers: each task runs once per interval across
// every worker process (the scheduler, not each process, owns the clock), with logs and retries.
import { Queue, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import type { AppConfig } from '../config';
import { logger } from '../utils/logger';
import { runWithContext } from '../utils/tracing';
import { errorMessage } from './email/processor';
import { bullPrefix } from './email/email.queue';

export const MAINTENANCE_QUEUE_NAME = 'maintenance';

/** What a handler may report (e.g. `{ cancelled: 3 }`); it is logged with the run. */
export type MaintenanceHandler = () => Promise<Readonly<Record<string, unknown>> | void>;

/** A wall-clock schedule: a cron pattern read in an IANA time zone (e.g. `15 0 * * *` in `Europe/Berlin`). */
export interface CronSchedule {
  readonly cron: string;
  readonly tz: string;
}

/** Every `n` ms, or on a cron pattern. */
export type TaskSchedule = number | CronSchedule;

export interface MaintenanceScheduler {
  readonly queue: Queue;
  /** Creates or updates the schedule for `name` and runs `handler` every `everyMs` ms, or on a cron schedule. */
  registerRepeatable(name: string, schedule: TaskSchedule, handler: MaintenanceHandler): Promise<void>;
  /** Removes a schedule that is no longer wanted (e.g. a task deleted from the code). */
  unregister(name: string): Promise<void>;
  close(timeoutMs: number): Promise<void>;
}

const TASK_NAME = /^[a-z][a-z0-9-]{1,62}$/;

export function createMaintenanceScheduler(config: AppConfig, connection: Redis): MaintenanceScheduler {
  const prefix = bullPrefix(config);
  const handlers = new Map<string, MaintenanceHandler>();
  const queue = new Queue(MAINTENANCE_QUEUE_NAME, { connection, prefix });
  queue.on('error', (err: Error) => logger.warn('maintenance queue error', { error: err.message }));
  let worker: Worker | undefined;
  // What this process scheduled, so it can be said again: a Redis restarted without persistence
  // comes back empty, and the schedules would otherwise be gone until the worker restarts.
  const schedules = new Map<string, TaskSchedule>();

  async function assertSchedule(name: string, schedule: TaskSchedule): Promise<void> {
    await queue.upsertJobScheduler(
      name,
      typeof schedule === 'number' ? { every: schedule } : { pattern: schedule.cron, tz: schedule.tz },
      { name, opts: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } } },
    );
  }

  let connectedBefore = connection.status === 'ready';
  const onReady = () => {
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    // Upserting is idempotent: after a mere network blip this rewrites the same schedule.
    for (const [name, schedule] of schedules) {
      assertSchedule(name, schedule).then(
        () => logger.info('maintenance schedule re-asserted after Redis reconnect', { task: name, schedule }),
        (err: unknown) => logger.warn('maintenance schedule not re-asserted; retried on the next reconnect', { task: name, error: errorMessage(err) }),
      );
    }
  };
  connection.on('ready', onReady);

  async function run(job: Job): Promise<unknown> {
    const handler = handlers.get(job.name);
    if (!handler) {
      logger.warn('maintenance job has no handler in this process', { task: job.name, jobId: job.id });
      return null;
    }
    // Each run gets its own trace id so its log lines can be followed like a request's.
    return runWithContext({ requestId: `maintenance:${job.name}:${String(job.id).slice(-12)}` }, async () => {
      const started = Date.now();
      logger.info('maintenance task started', { task: job.name, jobId: job.id });
      try {
        const result = (await handler()) ?? {};
        logger.info('maintenance task finished', { task: job.name, jobId: job.id, durationMs: Date.now() - started, ...result });
        return result;
      } catch (err) {
        logger.error('maintenance task failed', { task: job.name, jobId: job.id, attempt: job.attemptsMade + 1, error: errorMessage(err) });
        throw err;
      }
    });
  }

  return {
    queue,
    async registerRepeatable(name, schedule, handler) {
      if (!TASK_NAME.test(name)) throw new Error(`invalid maintenance task name "${name}"`);
      if (typeof schedule === 'number' && (!Number.isInteger(schedule) || schedule < 1000)) throw new Error(`maintenance task "${name}" must run at most once a second`);
      handlers.set(name, handler);
      if (!worker) {
        worker = new Worker(MAINTENANCE_QUEUE_NAME, run, { connection, prefix, concurrency: 1, maxStalledCount: 1 });
        worker.on('error', (err: Error) => logger.warn('maintenance worker error', { error: err.message }));
      }
      // An invalid cron pattern or zone is refused here, by BullMQ's parser, at start-up.
      await assertSchedule(name, schedule);
      schedules.set(name, schedule);
      logger.info('maintenance task scheduled', typeof schedule === 'number' ? { task: name, everyMs: schedule } : { task: name, cron: schedule.cron, tz: schedule.tz });
    },
    async unregister(name) {
      handlers.delete(name);
      schedules.delete(name);
      await queue.removeJobScheduler(name);
    },
    async close(timeoutMs) {
      connection.off('ready', onReady);
      if (worker) {
        const current = worker;
        let timer: NodeJS.Timeout | undefined;
        const forced = new Promise<'forced'>((resolve) => (timer = setTimeout(() => resolve('forced'), timeoutMs)));
        if ((await Promise.race([current.close(), forced])) === 'forced') await current.close(true);
        clearTimeout(timer);
      }
      await queue.close();
    },
  };
}
