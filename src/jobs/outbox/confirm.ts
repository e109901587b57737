// Consumers confirm the events they handled; an event is confirmed once each of its consumers has.
import type { OutboxRepository } from '../../repositories/outbox.repository';
import { consumersOfEventId, type ConsumerName } from './events';

export type EventConfirmer = (eventId: string, consumer: ConsumerName) => Promise<void>;

export function createEventConfirmer(repository: Pick<OutboxRepository, 'confirm'>): EventConfirmer {
  return (eventId, consumer) => repository.confirm(eventId, consumer, consumersOfEventId(eventId), new Date());
}
