// Admin view of the outbox: events that are parked or pending for too long, and re-publishing one.
import type { OutboxEventRecord, OutboxRepository } from '../../repositories/outbox.repository';
import { NotFoundError } from '../../utils/errors';
import { logger } from '../../utils/logger';

export interface OutboxEventView {
  readonly id: string;
  readonly type: string;
  readonly aggregateId: string;
  readonly state: 'pending' | 'parked' | 'published';
  readonly occurredAt: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly parkedAt: string | null;
  readonly publishedAt: string | null;
  readonly requestId: string | null;
}

export interface OutboxAdminService {
  listStuck(olderThanSeconds: number, limit: number): Promise<OutboxEventView[]>;
  republish(id: string, actorId: string): Promise<OutboxEventView>;
}

function toView(e: OutboxEventRecord): OutboxEventView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: e._id,
    type: e.type,
    aggregateId: e.aggregateId,
    state: e.publishedAt ? 'published' : e.parkedAt ? 'parked' : 'pending',
    occurredAt: new Date(e.occurredAt).toISOString(),
    attempts: e.attempts,
    lastError: e.lastError,
    parkedAt: iso(e.parkedAt),
    publishedAt: iso(e.publishedAt),
    requestId: e.requestId,
  };
}

export function createOutboxAdminService(deps: {
  repository: Pick<OutboxRepository, 'findStuck' | 'requeue'>;
  nudge: () => void;
  now?: () => Date;
}): OutboxAdminService {
  const now = deps.now ?? (() => new Date());
  return {
    async listStuck(olderThanSeconds, limit) {
      return (await deps.repository.findStuck(new Date(now().getTime() - olderThanSeconds * 1000), limit)).map(toView);
    },
    async republish(id, actorId) {
      // Safe whatever its state: the queue job id and the delivery ledger are the event id.
      const event = await deps.repository.requeue(id);
      if (!event) throw new NotFoundError(`No outbox event ${id}`, 'OUTBOX_EVENT_NOT_FOUND');
      logger.info('outbox event re-published by admin', { eventId: id, type: event.type, actorId });
      deps.nudge();
      return toView(event);
    },
  };
}
