// What one delivery attempt does, whichever queue runs it: re-validate the payload, render the
// template, send, and log each outcome inside the context of the request that enqueued the email.
import type { AppConfig } from '../../config';
import { logger } from '../../utils/logger';
import { runWithContext } from '../../utils/tracing';
import { validateEmailJobData, type EmailJobData } from './job';
import type { DeliveryLedger } from '../../repositories/delivery.repository';
import type { Mailer, OutgoingAttachment, SentEmail } from './mailer';
import { renderEmail } from './templates';
import type { AttachmentRef } from './types';

export interface EmailAttempt {
  /** Logical id, e.g. `welcome:<accountId>`. */
  readonly jobId: string;
  readonly data: unknown;
  /** 1-based number of this attempt. */
  readonly attempt: number;
  readonly attempts: number;
}

/** A failure no retry can fix (the payload is invalid): the job fails at once. */
export class PermanentEmailError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentEmailError';
  }
}

export type EmailProcessor = (job: EmailAttempt) => Promise<SentEmail>;

/** Opens a stored attachment; null when the file no longer exists. */
export type AttachmentOpener = (ref: AttachmentRef) => Promise<OutgoingAttachment | null>;

/**
 * The attachments a job names (`data.attachments`), opened for this attempt. A missing file can never
 * appear on a retry: a permanent failure. Names without an opener (a process not wired for them) are
 * a transient failure, retried by a worker that has one.
 */
async function openAttachments(data: EmailJobData, open: AttachmentOpener | undefined): Promise<OutgoingAttachment[]> {
  const refs = (Array.isArray(data.data.attachments) ? data.data.attachments : []) as AttachmentRef[];
  if (!refs.length) return [];
  if (!open) throw new Error(`no attachment store wired in this process for a ${data.kind} email`);
  const opened: OutgoingAttachment[] = [];
  for (const ref of refs) {
    const file = await open(ref);
    if (!file) throw new PermanentEmailError(`attachment ${ref.filename} (${ref.fileId}) no longer exists`);
    opened.push(file);
  }
  return opened;
}

function requestIdOf(data: unknown): string | undefined {
  const id = (data as { requestId?: unknown } | null)?.requestId;
  return typeof id === 'string' ? id : undefined;
}

/** Runs `fn` with the enqueuing request's id in the async context, so every log line carries it. */
export function inJobContext<T>(data: unknown, fn: () => T): T {
  const requestId = requestIdOf(data);
  return requestId ? runWithContext({ requestId }, fn) : fn();
}

/**
 * `ledger` (worker): a job already recorded as sent is skipped, so a job retried after a crash or a
 * lapsed lock does not email twice. What remains is the window between the SMTP server accepting
 * the message and the ledger write (see services/outbox/README.md).
 */
export function createEmailProcessor(deps: {
  mailer: Mailer;
  config: AppConfig;
  ledger?: DeliveryLedger;
  retentionSeconds?: number;
  /** Tells the outbox the event behind this job is done (best effort; a miss means one harmless re-publish). */
  confirm?: (jobId: string) => Promise<void>;
  /** Opens the files jobs attach by reference (the worker wires the reports' file store). */
  openAttachment?: AttachmentOpener;
}): EmailProcessor {
  const confirm = (jobId: string) => deps.confirm?.(jobId).catch((err: Error) => logger.warn('outbox confirmation not recorded', { jobId, error: err.message }));
  const { ledger } = deps;
  const keepFor = (deps.retentionSeconds ?? 7 * 24 * 3600) * 1000;
  const ctx = { serviceName: deps.config.serviceName, publicUrl: deps.config.http.publicUrl };
  return (job) =>
    inJobContext(job.data, async () => {
      let data: EmailJobData;
      try {
        data = validateEmailJobData(job.data as EmailJobData);
      } catch (err) {
        throw new PermanentEmailError(`invalid email payload: ${(err as Error).message}`, { cause: err });
      }
      const started = Date.now();
      logger.info('email job started', { jobId: job.jobId, kind: data.kind, attempt: job.attempt, attempts: job.attempts });
      // Unreadable ledger (MongoDB down): the attempt fails and is retried, rather than risk a duplicate.
      const previous = ledger ? await ledger.sentMessageId(job.jobId) : null;
      if (previous) {
        logger.info('email already sent (delivery ledger); not sent again', { jobId: job.jobId, kind: data.kind, attempt: job.attempt, messageId: previous });
        await confirm(job.jobId);
        return { messageId: previous, alreadySent: true };
      }
      const rendered = renderEmail(data.kind, data.data, ctx);
      const attachments = await openAttachments(data, deps.openAttachment);
      const sent = await deps.mailer.send({ to: data.to, jobId: job.jobId, ...rendered, ...(attachments.length && { attachments }) });
      // ledgerMs is the window in which a crash still duplicates this email (SMTP accepted, not yet recorded).
      const accepted = Date.now();
      if (ledger) {
        // Not thrown: the message is out, and a retry now would be a certain duplicate.
        await ledger
          .recordSent({ jobId: job.jobId, kind: data.kind, messageId: sent.messageId, sentAt: new Date(accepted), expiresAt: new Date(accepted + keepFor) })
          .catch((err: Error) => logger.error('email sent but not recorded in the delivery ledger', { jobId: job.jobId, error: err.message }));
      }
      logger.info('email sent', {
        jobId: job.jobId,
        kind: data.kind,
        attempt: job.attempt,
        durationMs: Date.now() - started,
        messageId: sent.messageId,
        ...(ledger && { ledgerMs: Date.now() - accepted }),
      });
      await confirm(job.jobId);
      return sent;
    });
}

export function logAttemptFailed(jobId: string, data: unknown, attempt: number, attempts: number, nextDelayMs: number, error: unknown): void {
  inJobContext(data, () =>
    logger.warn('email attempt failed, will retry', { jobId, attempt, attempts, nextDelayMs, error: errorMessage(error) }),
  );
}

export function logFinalFailure(jobId: string, data: unknown, attempt: number, attempts: number, error: unknown): void {
  inJobContext(data, () => logger.error('email failed permanently', { jobId, attempt, attempts, error: errorMessage(error) }));
}

export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
