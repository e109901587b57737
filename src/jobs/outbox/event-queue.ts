// Queues for the non-email consumers of outbox events (analytics today). The relay's publisher puts
// each event on its consumer's queue with the event id as job id; the worker runs the consumer.
// Without Redis (development, tests) the inline queue runs the consumer during the publish.
import { Queue, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import type { AppConfig } from '../../config';
import { logger } from '../../utils/logger';
import { runWithContext } from '../../utils/tracing';
import { bullPrefix } from '../email/email.queue';
import { RETENTION, toQueueJobId, toLogicalJobId } from '../email/job';

/** What a consumer receives: the stored event, already validated against its schema. */
export interface ConsumedEvent {
  readonly id: string;
  readonly type: string;
  readonly payload: Record<string, unknown>;
  readonly occurredAt: string;
  readonly requestId?: string;
}

export type EventConsumerFn = (event: ConsumedEvent) => Promise<void>;

export interface EventQueue {
  enqueue(event: ConsumedEvent): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_JOB_NAME = 'consume-event';
const ATTEMPTS = 8;

/** Runs the consumer in the publishing process (no Redis): the publish fails when the consumer does. */
export function createInlineEventQueue(consume: EventConsumerFn): EventQueue {
  return { enqueue: (event) => consume(event), close: async () => undefined };
}

/** A BullMQ producer, connected on first use (the API builds one it normally never uses). */
export function createBullEventQueue(config: AppConfig, name: string, connect: () => Redis): EventQueue {
  let queue: Queue<ConsumedEvent> | null = null;
  let connection: Redis | null = null;
  return {
    async enqueue(event) {
      if (!queue) {
        connection = connect();
        queue = new Queue<ConsumedEvent>(name, { connection, prefix: bullPrefix(config) });
        queue.on('error', (err: Error) => logger.warn('event queue connection error', { queue: name, error: err.message }));
      }
      // Same job id → BullMQ keeps the existing job: a re-published event is one job.
      await queue.add(EVENT_JOB_NAME, event, {
        jobId: toQueueJobId(event.id),
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: RETENTION.completed,
        removeOnFail: RETENTION.failed,
      });
    },
    async close() {
      await queue?.close();
      if (connection?.status === 'ready') await connection.quit();
      else connection?.disconnect();
    },
  };
}

export interface EventWorker {
  readonly worker: Worker<ConsumedEvent>;
  close(): Promise<void>;
}

/** The worker side: runs `consume` for each job (retried with backoff; the consumer is idempotent per event id). */
export function startEventWorker(config: AppConfig, name: string, connection: Redis, consume: EventConsumerFn): EventWorker {
  const worker = new Worker<ConsumedEvent>(
    name,
    async (job: Job<ConsumedEvent>) => {
      const run = () => consume({ ...job.data, id: toLogicalJobId(String(job.id)) });
      await (job.data.requestId ? runWithContext({ requestId: job.data.requestId }, run) : run());
    },
    { connection, prefix: bullPrefix(config), concurrency: 4 },
  );
  worker.on('failed', (job, err) => logger.warn('event consumer attempt failed', { queue: name, jobId: job ? toLogicalJobId(String(job.id)) : null, attempt: job?.attemptsMade, error: err.message }));
  worker.on('error', (err) => logger.warn('event worker error', { queue: name, error: err.message }));
  return { worker, close: () => worker.close() };
}
