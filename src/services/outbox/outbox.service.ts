// The one way services record domain events: in the same MongoDB transaction as the state change
// (`withEvents`, or `record` inside a transaction the service already runs), then `committed()`
// after the commit to wake the relay. Nothing is enqueued to Redis from a request.
import type { ClientSession } from 'mongoose';
import { checkEventPayload, EVENT_ID_PATTERN, type EventType } from '../../jobs/outbox/events';
import type { NewOutboxEvent, OutboxRepository } from '../../repositories/outbox.repository';
import { currentRequestId } from '../../utils/tracing';
import type { TransactionRunner } from '../transactions';

export interface DomainEvent {
  /** Deterministic per fact: `<type>:<aggregateId>[:<detail>]` (e.g. `order-status-changed:<id>:paid`). */
  readonly id: string;
  readonly type: EventType;
  readonly aggregateId: string;
  readonly payload: Record<string, unknown>;
  /** When it happened, if not now (an event recorded after the fact, e.g. a stock alert moved by its sweep). */
  readonly occurredAt?: Date;
}

export interface UnitOfWork {
  /** null on a standalone server (no transactions): see README, "standalone fallback". */
  readonly session: ClientSession | null;
  emit(event: DomainEvent | null): void;
}

export interface Outbox {
  /** Appends events with the caller's session (inside its transaction), or right away without one. */
  record(session: ClientSession | null, events: readonly (DomainEvent | null)[]): Promise<void>;
  /** Call once the state change committed: nudges the relays. */
  committed(): void;
  /** Runs `work` in a transaction and appends what it emitted in the same transaction. */
  withEvents<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
}

export interface OutboxDeps {
  readonly repository: Pick<OutboxRepository, 'append'>;
  readonly transactions: TransactionRunner;
  /** Wakes the relays (Redis pub/sub); best effort. */
  readonly nudge?: () => void;
  /** Test failpoint hook run right after a commit, before any nudge or publish. */
  readonly afterCommit?: () => void;
  readonly now?: () => Date;
}

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

export function createOutbox(deps: OutboxDeps): Outbox {
  const now = deps.now ?? (() => new Date());

  function toNew(event: DomainEvent): NewOutboxEvent {
    // A producer bug must fail the state change, not park an event nobody will see for hours.
    if (!EVENT_ID_PATTERN.test(event.id) || !event.id.startsWith(`${event.type}:`)) throw new InvalidEventError(`invalid event id "${event.id}"`);
    const checked = checkEventPayload(event.type, event.payload);
    if (!checked.ok) throw new InvalidEventError(checked.reason);
    return { id: event.id, type: event.type, aggregateId: event.aggregateId, payload: checked.payload, occurredAt: event.occurredAt ?? now(), requestId: currentRequestId() ?? null };
  }

  async function record(session: ClientSession | null, events: readonly (DomainEvent | null)[]): Promise<void> {
    await deps.repository.append(events.filter((e): e is DomainEvent => e !== null).map(toNew), session);
  }

  function committed(): void {
    deps.afterCommit?.();
    deps.nudge?.();
  }

  return {
    record,
    committed,
    async withEvents(work) {
      const run = async (session: ClientSession | null) => {
        // Reset per attempt: the driver re-runs the callback on a transient transaction error.
        const emitted: DomainEvent[] = [];
        const result = await work({ session, emit: (event) => void (event && emitted.push(event)) });
        await record(session, emitted);
        return result;
      };
      const result = (await deps.transactions.supportsTransactions()) ? await deps.transactions.run(run) : await run(null);
      committed();
      return result;
    },
  };
}
