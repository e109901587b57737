// The BullMQ email queue as the API sees it: a producer (enqueue) plus the admin view of the
// queue (stats, dead letters, retry). Delivery happens in the worker process (email.worker.ts).
import { Queue, type JobState } from 'bullmq';
import type Redis from 'ioredis';
import type { AppConfig } from '../../config';
import { ServiceUnavailableError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { currentRequestId } from '../../utils/tracing';
import { EMAIL_JOB_NAME, EMAIL_QUEUE_NAME, emailJobOptions, toLogicalJobId, toQueueJobId, validateEmailRequest, type EmailJobData } from './job';
import type { FailedEmailJob, ManagedEmailQueue, QueueStats, RetryOutcome } from './types';

export interface BullEmailQueue extends ManagedEmailQueue {
  /** The underlying BullMQ queue (for the dashboard). */
  readonly queue: Queue<EmailJobData>;
}

/**
 * The producer's own connection: a duplicate of the shared client with the same fail-fast
 * options, so an enqueue during a Redis outage fails at once instead of hanging an HTTP request,
 * and BullMQ's Lua scripts and its close() never touch the connection the rest of the API shares.
 */
export function producerConnection(shared: Redis): Redis {
  return shared.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: false });
}

export function createBullEmailQueue(config: AppConfig, connection: Redis): BullEmailQueue {
  const queue = new Queue<EmailJobData>(EMAIL_QUEUE_NAME, { connection, prefix: bullPrefix(config) });
  // Without a listener an 'error' event (e.g. Redis restarting) would be an uncaught exception
  // and take the API process down; enqueue reports the outage to its caller instead.
  queue.on('error', (err: Error) => logger.warn('email queue connection error', { error: err.message }));
  return {
    queue,
    async enqueue(email) {
      const data = validateEmailRequest(email, currentRequestId());
      try {
        // Same jobId → BullMQ keeps the existing job and adds nothing: one logical email, one job.
        await queue.add(EMAIL_JOB_NAME, data, emailJobOptions(config.email, email.jobId));
      } catch (err) {
        // Fail fast and typed: the caller (or the error contract) answers 503 instead of hanging.
        throw new ServiceUnavailableError('Email cannot be queued right now', 'EMAIL_QUEUE_UNAVAILABLE', { cause: err });
      }
      return { jobId: email.jobId };
    },
    async stats() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
      return {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        completed: counts.completed ?? 0,
        failed: counts.failed ?? 0,
      } satisfies QueueStats;
    },
    async listFailed(limit) {
      const jobs = await queue.getFailed(0, Math.max(0, limit - 1));
      return jobs.filter(Boolean).map(
        (job): FailedEmailJob => ({
          jobId: toLogicalJobId(String(job.id)),
          kind: String(job.data?.kind ?? ''),
          to: String(job.data?.to ?? ''),
          attemptsMade: job.attemptsMade,
          failedReason: job.failedReason ?? '',
          failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
          requestId: job.data?.requestId ?? null,
        }),
      );
    },
    async retryFailed(jobId) {
      const job = await queue.getJob(toQueueJobId(jobId));
      if (!job) return 'not-found';
      const state: JobState | 'unknown' = await job.getState();
      if (state !== 'failed') return 'not-failed' satisfies RetryOutcome;
      try {
        // A fresh set of attempts: the dead letter gets the same retry policy as a new email.
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      } catch (err) {
        // Another admin (or the dashboard) retried it between our read and our write.
        if ((await job.getState()) !== 'failed') return 'not-failed';
        throw err;
      }
      return 'retried';
    },
    async close() {
      // During an outage quit() would wait for a connection that never comes: drop it instead.
      if (connection.status !== 'ready') connection.disconnect();
      await queue.close();
      if (connection.status === 'ready') await connection.quit();
    },
  };
}

/** BullMQ keys are `<prefix>:<queue>:…`; REDIS_KEY_PREFIX ends with ':' by convention. */
export function bullPrefix(config: AppConfig): string {
  return `${config.redis.keyPrefix.replace(/:+$/, '')}:bull`;
}

export function isBullEmailQueue(queue: unknown): queue is BullEmailQueue {
  return typeof queue === 'object' && queue !== null && (queue as Partial<BullEmailQueue>).queue instanceof Queue;
}
