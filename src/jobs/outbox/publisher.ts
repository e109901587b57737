// Turns one stored event into its queue work: validate against the registry, then enqueue on each
// consumer's queue with the event id as the job id (a second publish of the same event adds nothing).
import type { OutboxEventRecord } from '../../repositories/outbox.repository';
import { ValidationError } from '../../utils/errors';
import { runWithContext } from '../../utils/tracing';
import type { EmailQueue } from '../email/types';
import type { EventConfirmer } from './confirm';
import type { EventQueue } from './event-queue';
import { checkEventPayload, eventDefinition, emailFor, type EventConsumer } from './events';

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
}

export function createEventPublisher(queues: PublisherQueues): EventPublisher {
  async function deliver(consumer: EventConsumer, event: OutboxEventRecord, payload: Record<string, unknown>): Promise<void> {
    switch (consumer.queue) {
      case 'email': {
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
