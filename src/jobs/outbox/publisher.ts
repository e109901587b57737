// Turns one stored event into its queue work: validate against the registry, then enqueue with the
// event id as the job id (a second publish of the same event adds nothing to the queue).
import type { OutboxEventRecord } from '../../repositories/outbox.repository';
import { ValidationError } from '../../utils/errors';
import { runWithContext } from '../../utils/tracing';
import type { EmailQueue } from '../email/types';
import { checkEventPayload, emailFor } from './events';

/** The event can never be published as it is (unknown type, payload fails its schema): park it. */
export class PoisonEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonEventError';
  }
}

export type EventPublisher = (event: OutboxEventRecord) => Promise<void>;

export function createEventPublisher(emailQueue: EmailQueue): EventPublisher {
  return async (event) => {
    const checked = checkEventPayload(event.type, event.payload);
    if (!checked.ok) throw new PoisonEventError(checked.reason);
    const enqueue = () => emailQueue.enqueue(emailFor(event, checked.payload));
    try {
      // The job carries the id of the request that caused the event, so worker logs join up.
      await (event.requestId ? runWithContext({ requestId: event.requestId }, enqueue) : enqueue());
    } catch (err) {
      if (err instanceof ValidationError) throw new PoisonEventError(`${err.message}: ${JSON.stringify(err.details ?? [])}`);
      throw err;
    }
  };
}
