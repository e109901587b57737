// The inventory-import queue: one BullMQ job per import, its id the import's id, so enqueueing the
// same import again (a re-upload, the stranded-import sweep) adds nothing. The worker runs the
// processor (services/inventory/import-processor.ts) one import at a time per process.
import { Queue, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import type { AppConfig } from '../../config';
import { ServiceUnavailableError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { bullPrefix } from '../email/email.queue';

export const IMPORT_QUEUE_NAME = 'inventory-import';
const JOB_NAME = 'apply';

export interface ImportQueue {
  enqueue(importId: string): Promise<void>;
  close(): Promise<void>;
}

export function createBullImportQueue(config: AppConfig, connection: Redis): ImportQueue {
  const queue = new Queue<{ importId: string }>(IMPORT_QUEUE_NAME, { connection, prefix: bullPrefix(config) });
  queue.on('error', (err: Error) => logger.warn('inventory import queue connection error', { error: err.message }));
  return {
    async enqueue(importId) {
      try {
        await queue.add(JOB_NAME, { importId }, {
          jobId: importId,
          attempts: 5,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
          removeOnFail: { age: 30 * 24 * 3600, count: 1000 },
        });
      } catch (err) {
        throw new ServiceUnavailableError('The import cannot be queued right now', 'IMPORT_QUEUE_UNAVAILABLE', { cause: err });
      }
    },
    async close() {
      await queue.close();
    },
  };
}

/** Without Redis (development, tests): the import runs in this process, right after the response. */
export function createInProcessImportQueue(process: (importId: string) => Promise<void>): ImportQueue & { idle(): Promise<void> } {
  const running = new Set<Promise<void>>();
  return {
    async enqueue(importId) {
      const run = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => process(importId))
        .catch((err: unknown) => {
          logger.error('inventory import failed', { importId, error: err instanceof Error ? err.message : String(err) });
        })
        .finally(() => running.delete(run));
      running.add(run);
    },
    async idle() {
      await Promise.all([...running]);
    },
    async close() {
      await Promise.all([...running]);
    },
  };
}

export interface ImportWorker {
  close(timeoutMs: number): Promise<void>;
  readonly worker: Worker;
}

export function startImportWorker(config: AppConfig, connection: Redis, process: (importId: string) => Promise<void>): ImportWorker {
  const worker = new Worker<{ importId: string }>(IMPORT_QUEUE_NAME, async (job: Job<{ importId: string }>) => process(job.data.importId), {
    connection,
    prefix: bullPrefix(config),
    concurrency: 1,
    // A 100k-row import takes a while; a dead worker's job is picked up again after the lock lapses.
    lockDuration: 60_000,
    maxStalledCount: 3,
  });
  worker.on('failed', (job, err) => logger.warn('inventory import attempt failed', { importId: job?.data.importId, attempt: job?.attemptsMade, error: err.message }));
  worker.on('error', (err) => logger.warn('inventory import worker error', { error: err.message }));
  return {
    worker,
    async close(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<'forced'>((resolve) => {
        timer = setTimeout(() => resolve('forced'), timeoutMs);
      });
      const outcome = await Promise.race([worker.close().then(() => 'drained' as const), forced]);
      clearTimeout(timer);
      if (outcome === 'forced') await worker.close(true);
    },
  };
}
