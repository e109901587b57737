// The BullMQ consumer of the email queue: runs the processor with the configured concurrency and
// rate limit, applies our backoff, and logs retries and dead letters with job and request ids.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import type { AppConfig } from '../../config';
import { logger } from '../../utils/logger';
import { backoffDelayMs, EMAIL_QUEUE_NAME, toLogicalJobId, type EmailJobData } from './job';
import { logAttemptFailed, logFinalFailure, PermanentEmailError, type EmailProcessor } from './processor';
import { bullPrefix } from './email.queue';

export interface EmailWorker {
  readonly worker: Worker<EmailJobData>;
  /** Stops taking jobs and waits for the active ones; after `timeoutMs` they are abandoned to stalled-job recovery. */
  close(timeoutMs: number): Promise<'drained' | 'forced'>;
}

/**
 * Workers block on Redis (BZPOPMIN) and must survive reconnects, so BullMQ requires
 * `maxRetriesPerRequest: null` and no command timeout — the opposite of the API's fail-fast client.
 */
export function workerConnection(base: Redis): Redis {
  return base.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, commandTimeout: undefined, enableAutoPipelining: false });
}

export function startEmailWorker(config: AppConfig, connection: Redis, process: EmailProcessor): EmailWorker {
  const { email } = config;
  const worker = new Worker<EmailJobData>(
    EMAIL_QUEUE_NAME,
    async (job: Job<EmailJobData>) => {
      try {
        return await process({ jobId: logicalId(job), data: job.data, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 });
      } catch (err) {
        if (err instanceof PermanentEmailError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    {
      connection,
      prefix: bullPrefix(config),
      concurrency: email.workerConcurrency,
      ...(email.rateLimitMax > 0 ? { limiter: { max: email.rateLimitMax, duration: email.rateLimitWindowMs } } : {}),
      // A job whose worker died (crash, SIGKILL) is retried after its lock lapses, not lost.
      lockDuration: email.jobLockMs,
      stalledInterval: email.jobLockMs,
      maxStalledCount: 1,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error, job?: { id?: string; data: unknown; opts: { attempts?: number } }) => {
          const delay = backoffDelayMs(attemptsMade, email);
          if (job) logAttemptFailed(toLogicalJobId(String(job.id)), job.data, attemptsMade, job.opts.attempts ?? 1, delay, err);
          return delay;
        },
      },
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade >= attempts || err instanceof UnrecoverableError || err?.name === 'UnrecoverableError') {
      logFinalFailure(logicalId(job), job.data, job.attemptsMade, attempts, err);
    }
  });
  worker.on('error', (err) => logger.warn('email worker error', { error: err.message }));

  return {
    worker,
    async close(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const graceful = worker.close().then(() => 'drained' as const);
      const timeout = new Promise<'forced'>((resolve) => {
        timer = setTimeout(() => resolve('forced'), timeoutMs);
      });
      const outcome = await Promise.race([graceful, timeout]);
      clearTimeout(timer);
      if (outcome === 'forced') await worker.close(true);
      return outcome;
    },
  };
}

function logicalId(job: Job<EmailJobData>): string {
  return toLogicalJobId(String(job.id));
}
