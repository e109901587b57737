// Turns one stored event into its queue work: validate against the registry, then enqueue with the
// event id as the job id (a second publish of the same event adds nothing to the queue). A fan-out
// event is enqueued once per recipient of its audience, each with its own deterministic job id.
import type { OutboxEventRecord } from '../../repositories/outbox.repository';
import { ValidationError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { runWithContext } from '../../utils/tracing';
import type { EmailQueue } from '../email/types';
import { checkEventPayload, emailFor, eventDefinition, fanOutEmailFor, type Audiences } from './events';

/** The event can never be published as it is (unknown type, payload fails its schema): park it. */
export class PoisonEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonEventError';
  }
}

export type EventPublisher = (event: OutboxEventRecord) => Promise<void>;

/** `audiences` resolves the recipients of fan-out events (wired in the composition root). */
export function createEventPublisher(emailQueue: EmailQueue, audiences?: Audiences): EventPublisher {
  async function fanOut(event: OutboxEventRecord, payload: Record<string, unknown>): Promise<void> {
    const name = eventDefinition(event.type)!.consumer.fanOut!;
    const audience = audiences?.[name];
    // A wiring gap, not a poison event: the event waits (and is retried) until a relay that has it.
    if (!audience) throw new Error(`no "${name}" audience wired for ${event.type} events`);
    let sent = 0;
    for await (const batch of audience({ payload, occurredAt: new Date(event.occurredAt) })) {
      await Promise.all(
        batch.map(async (recipient) => {
          try {
            await emailQueue.enqueue(fanOutEmailFor(event, payload, recipient));
            sent += 1;
          } catch (err) {
            // One recipient's unusable address must not hold back everyone else's email.
            if (!(err instanceof ValidationError)) throw err;
            logger.warn('fan-out email skipped: invalid for its recipient', { eventId: event._id, accountId: recipient.accountId, error: err.message });
          }
        }),
      );
    }
    logger.info('outbox event fanned out', { eventId: event._id, type: event.type, emails: sent });
  }

  return async (event) => {
    const checked = checkEventPayload(event.type, event.payload);
    if (!checked.ok) throw new PoisonEventError(checked.reason);
    const enqueue = () =>
      eventDefinition(event.type)!.consumer.fanOut ? fanOut(event, checked.payload) : emailQueue.enqueue(emailFor(event, checked.payload)).then(() => undefined);
    try {
      // The job carries the id of the request that caused the event, so worker logs join up.
      await (event.requestId ? runWithContext({ requestId: event.requestId }, enqueue) : enqueue());
    } catch (err) {
      if (err instanceof ValidationError) throw new PoisonEventError(`${err.message}: ${JSON.stringify(err.details ?? [])}`);
      throw err;
    }
  };
}
