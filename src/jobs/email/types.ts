// The contract between services that send email and the queue that delivers it.
// Services depend on this interface only; the BullMQ and in-memory implementations live beside it.

export type EmailKind = 'welcome' | 'password-reset' | 'order-confirmation' | 'order-status' | 'back-in-stock' | 'low-stock' | 'order-paid' | 'order-refunded' | 'order-shipped' | 'daily-report';

/**
 * A file an email carries, by reference: the job (and the outbox event before it) holds only this,
 * and the worker opens the stored file when it sends, so large files never travel through Redis.
 */
export interface AttachmentRef {
  readonly filename: string;
  readonly contentType: string;
  /** Id of the stored file (the reports' GridFS bucket). */
  readonly fileId: string;
}

export interface EmailRequest {
  readonly kind: EmailKind;
  readonly to: string;
  /** Template variables for the kind (validated by the job schema). */
  readonly data: Readonly<Record<string, unknown>>;
  /**
   * The logical identity of this email (e.g. `welcome:<accountId>`): the queue enqueues it once,
   * however often the producer retries.
   */
  readonly jobId: string;
}

export interface EnqueueResult {
  readonly jobId: string;
}

export interface EmailQueue {
  enqueue(email: EmailRequest): Promise<EnqueueResult>;
  close(): Promise<void>;
}

/** Counts by state; `failed` is the dead-letter set. */
export interface QueueStats {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
}

/** A dead letter: an email whose every attempt failed. */
export interface FailedEmailJob {
  readonly jobId: string;
  readonly kind: string;
  readonly to: string;
  readonly attemptsMade: number;
  readonly failedReason: string;
  readonly failedAt: string | null;
  readonly requestId: string | null;
}

export type RetryOutcome = 'retried' | 'not-found' | 'not-failed';

/** What the admin endpoints, the dashboard and metrics need from a queue. */
export interface EmailQueueAdmin {
  stats(): Promise<QueueStats>;
  listFailed(limit: number): Promise<FailedEmailJob[]>;
  /** Moves one failed job back to waiting with a fresh set of attempts. */
  retryFailed(jobId: string): Promise<RetryOutcome>;
}

export interface ManagedEmailQueue extends EmailQueue, EmailQueueAdmin {}

export function isManagedEmailQueue(queue: EmailQueue): queue is ManagedEmailQueue {
  const q = queue as Partial<ManagedEmailQueue>;
  return typeof q.stats === 'function' && typeof q.listFailed === 'function' && typeof q.retryFailed === 'function';
}
