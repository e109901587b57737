// Fakes passed by argument (no module mocking of our own code).
import { validateEmailRequest } from '../../src/jobs/email/job';
import type { EmailQueue, EmailRequest } from '../../src/jobs/email/types';
import type { DomainEvent, Outbox } from '../../src/services/outbox/outbox.service';

export interface RecordingEmailQueue extends EmailQueue {
  readonly sent: EmailRequest[];
}

/**
 * Records what services enqueue; validates each email against the real job schema (so a producer
 * cannot drift from what the templates read) and de-duplicates by job id like the real queues.
 */
export function createRecordingEmailQueue(): RecordingEmailQueue {
  const sent: EmailRequest[] = [];
  return {
    sent,
    async enqueue(email) {
      validateEmailRequest(email);
      if (!sent.some((e) => e.jobId === email.jobId)) sent.push(email);
      return { jobId: email.jobId };
    },
    async close() {},
  };
}

export interface RecordingOutbox extends Outbox {
  readonly events: DomainEvent[];
}

/** An outbox without a database: runs the unit of work without a session and keeps what it emitted. */
export function createRecordingOutbox(): RecordingOutbox {
  const events: DomainEvent[] = [];
  const keep = (list: readonly (DomainEvent | null)[]) => events.push(...list.filter((e): e is DomainEvent => e !== null));
  return {
    events,
    async record(_session, list) {
      keep(list);
    },
    committed() {},
    async withEvents(work) {
      const emitted: (DomainEvent | null)[] = [];
      const result = await work({ session: null, emit: (event) => void emitted.push(event) });
      keep(emitted);
      return result;
    },
  };
}
