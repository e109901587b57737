// Turns one stored event into its queue work: validate against the registry, then enqueue on each
// consumer's queue with the event id as the job id (a second publish of the same event adds nothing).
// A fan-out email is enqueued once per recipient of its audience, each with its own deterministic id.
import type { OutboxEventRecord } from '../../repositories/outbox.repository';
import { ValidationError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { runWithContext } from '../../utils/tracing';
import type { EmailQueue } from '../email/types';
import type { EventConfirmer } from './confirm';
import type { EventQueue } from './event-queue';
import { checkEventPayload, emailFor, eventDefinition, fanOutEmailFor, type Audiences, type EmailConsumer, type EventConsumer } from './events';

/** The event can never be published as it is (unknown type, payload fails its schema): park it. */
export class PoisonEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonEventError';
  }
}

export type EventPublisher = (event: OutboxEventRecord) => Promise<void>;

export interface PublisherQueues {
  readonly email: EmailQueue;
  readonly analytics: EventQueue;
  /** Confirms for a consumer that has nothing to do with this event (an order email without recipient). */
  readonly confirm?: EventConfirmer;
  /** Resolves the recipients of fan-out events (wired in the composition root). */
  readonly audiences?: Audiences;
}

export function createEventPublisher(queues: PublisherQueues): EventPublisher {
  async function fanOut(consumer: EmailConsumer, event: OutboxEventRecord, payload: Record<string, unknown>): Promise<void> {
    const name = consumer.fanOut!;
    const audience = queues.audiences?.[name];
    // A wiring gap, not a poison event: the event waits (and is retried) until a relay that has it.
    if (!audience) throw new Error(`no "${name}" audience wired for ${event.type} events`);
    let sent = 0;
    for await (const batch of audience({ payload, occurredAt: new Date(event.occurredAt) })) {
      await Promise.all(
        batch.map(async (recipient) => {
          try {
            await queues.email.enqueue(fanOutEmailFor(event, payload, recipient));
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

  async function deliver(consumer: EventConsumer, event: OutboxEventRecord, payload: Record<string, unknown>): Promise<void> {
    switch (consumer.queue) {
      case 'email': {
        if (consumer.fanOut) return fanOut(consumer, event, payload);
        const email = emailFor(event, payload);
        if (email) await queues.email.enqueue(email);
        else await queues.confirm?.(event._id, 'email');
        return;
      }
      case 'analytics':
        return queues.analytics.enqueue({
          id: event._id,
          type: event.type,
          payload,
          occurredAt: new Date(event.occurredAt).toISOString(),
          ...(event.requestId && { requestId: event.requestId }),
        });
    }
  }

  return async (event) => {
    const checked = checkEventPayload(event.type, event.payload);
    if (!checked.ok) throw new PoisonEventError(checked.reason);
    const enqueue = async () => {
      for (const consumer of eventDefinition(event.type)!.consumers) await deliver(consumer, event, checked.payload);
    };
    try {
      // The job carries the id of the request that caused the event, so worker logs join up.
      await (event.requestId ? runWithContext({ requestId: event.requestId }, enqueue) : enqueue());
    } catch (err) {
      if (err instanceof ValidationError) throw new PoisonEventError(`${err.message}: ${JSON.stringify(err.details ?? [])}`);
      throw err;
    }
  };
}
