// The contract between services that send email and the queue that delivers it.
// Services depend on this interface only; the BullMQ and in-memory implementations live beside it.

export type EmailKind = 'welcome' | 'password-reset' | 'order-confirmation' | 'order-status';

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
