// Development fallback without Redis: the same queue contract, de-duplication, attempts, backoff, rate limit
// and dead letters as the BullMQ path, run in-process. Jobs live in memory and die with the
// process, which is why production refuses to start without REDIS_URL.
import type { AppConfig } from '../../config';
import { logger } from '../../utils/logger';
import { currentRequestId } from '../../utils/tracing';
import { backoffDelayMs, RETENTION, validateEmailRequest, type EmailJobData } from './job';
import { logAttemptFailed, logFinalFailure, PermanentEmailError, type EmailProcessor } from './processor';
import type { FailedEmailJob, ManagedEmailQueue, QueueStats } from './types';

type State = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';

interface MemoryJob {
  readonly id: string;
  readonly data: EmailJobData;
  attemptsMade: number;
  state: State;
  failedReason?: string;
  finishedOn?: number;
  timer?: NodeJS.Timeout;
}

export interface MemoryEmailQueueOptions {
  readonly config: AppConfig;
  readonly process: EmailProcessor;
  readonly random?: () => number;
}

export function createMemoryEmailQueue(options: MemoryEmailQueueOptions): ManagedEmailQueue {
  const { email } = options.config;
  const jobs = new Map<string, MemoryJob>();
  const waiting: MemoryJob[] = [];
  const running = new Set<Promise<void>>();
  let closed = false;
  const starts: number[] = [];
  let rateTimer: NodeJS.Timeout | undefined;

  /** Like BullMQ's limiter: at most rateLimitMax starts per window; returns ms to wait, or 0. */
  function rateLimitWait(): number {
    if (email.rateLimitMax <= 0) return 0;
    const now = Date.now();
    while (starts.length && now - starts[0] >= email.rateLimitWindowMs) starts.shift();
    return starts.length < email.rateLimitMax ? 0 : starts[0] + email.rateLimitWindowMs - now;
  }

  function pump(): void {
    while (!closed && running.size < email.workerConcurrency && waiting.length) {
      const wait = rateLimitWait();
      if (wait > 0) {
        rateTimer ??= setTimeout(() => {
          rateTimer = undefined;
          pump();
        }, wait);
        return;
      }
      starts.push(Date.now());
      const job = waiting.shift()!;
      const run = attempt(job).finally(() => {
        running.delete(run);
        pump();
      });
      running.add(run);
    }
  }

  async function attempt(job: MemoryJob): Promise<void> {
    job.state = 'active';
    try {
      await options.process({ jobId: job.id, data: job.data, attempt: job.attemptsMade + 1, attempts: email.attempts });
      job.attemptsMade += 1;
      finish(job, 'completed');
    } catch (err) {
      job.attemptsMade += 1;
      job.failedReason = err instanceof Error ? err.message : String(err);
      if (err instanceof PermanentEmailError || job.attemptsMade >= email.attempts) {
        finish(job, 'failed');
        logFinalFailure(job.id, job.data, job.attemptsMade, email.attempts, err);
        return;
      }
      const delay = backoffDelayMs(job.attemptsMade, email, options.random);
      logAttemptFailed(job.id, job.data, job.attemptsMade, email.attempts, delay, err);
      job.state = 'delayed';
      job.timer = setTimeout(() => {
        job.timer = undefined;
        makeWaiting(job);
      }, delay);
    }
  }

  function makeWaiting(job: MemoryJob): void {
    job.state = 'waiting';
    waiting.push(job);
    pump();
  }

  function finish(job: MemoryJob, state: 'completed' | 'failed'): void {
    job.state = state;
    job.finishedOn = Date.now();
    prune(state);
  }

  // The same count bound as BullMQ's removeOnComplete/removeOnFail: oldest finished jobs go first.
  function prune(state: 'completed' | 'failed'): void {
    const limit = state === 'completed' ? RETENTION.completed.count : RETENTION.failed.count;
    const finished = [...jobs.values()].filter((j) => j.state === state);
    for (const job of finished.slice(0, Math.max(0, finished.length - limit))) jobs.delete(job.id);
  }

  function count(state: State): number {
    let n = 0;
    for (const job of jobs.values()) if (job.state === state) n += 1;
    return n;
  }

  return {
    async enqueue(request) {
      const data = validateEmailRequest(request, currentRequestId());
      if (closed) throw new Error('email queue is closed');
      if (!jobs.has(request.jobId)) {
        const job: MemoryJob = { id: request.jobId, data, attemptsMade: 0, state: 'waiting' };
        jobs.set(job.id, job);
        makeWaiting(job);
      }
      return { jobId: request.jobId };
    },
    async stats(): Promise<QueueStats> {
      return { waiting: count('waiting'), active: count('active'), delayed: count('delayed'), completed: count('completed'), failed: count('failed') };
    },
    async listFailed(limit) {
      return [...jobs.values()]
        .filter((j) => j.state === 'failed')
        .sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0))
        .slice(0, limit)
        .map(
          (j): FailedEmailJob => ({
            jobId: j.id,
            kind: j.data.kind,
            to: j.data.to,
            attemptsMade: j.attemptsMade,
            failedReason: j.failedReason ?? '',
            failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
            requestId: j.data.requestId ?? null,
          }),
        );
    },
    async retryFailed(jobId) {
      const job = jobs.get(jobId);
      if (!job) return 'not-found';
      if (job.state !== 'failed') return 'not-failed';
      job.attemptsMade = 0;
      job.failedReason = undefined;
      job.finishedOn = undefined;
      makeWaiting(job);
      return 'retried';
    },
    async close() {
      // Stop taking jobs, let the active ones finish; waiting and delayed jobs are dropped (in memory only).
      closed = true;
      for (const job of jobs.values()) clearTimeout(job.timer);
      clearTimeout(rateTimer);
      const dropped = [...jobs.values()].filter((j) => j.state === 'waiting' || j.state === 'delayed').map((j) => j.id);
      if (dropped.length) logger.warn('in-process email queue closed with undelivered emails (development only)', { dropped });
      await Promise.allSettled([...running]);
    },
  };
}
