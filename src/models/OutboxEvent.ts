// Domain events written in the same transaction as the state change they describe (the outbox),
// then published to the queue by the relay. The id is deterministic per fact (`order-placed:<orderId>`),
// so a retried write cannot record one fact twice and the queue job id de-duplicates re-publishes.
import { Schema, type Connection, type Model } from 'mongoose';
import './deadline.plugin';

export interface OutboxEventDoc {
  _id: string;
  type: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
  requestId: string | null;
  /** Publish attempts (claims) so far. */
  attempts: number;
  publishedAt: Date | null;
  /**
   * Set by the consumer when the work is done (email sent or found in the ledger). A published event
   * without it is published again after OUTBOX_REDELIVER_AFTER_MS: a Redis that restarted without
   * persistence loses queued jobs, and the same job id plus the ledger make the re-publish safe.
   */
  confirmedAt: Date | null;
  /** The consumers (email, analytics…) that have done their part; `confirmedAt` follows when all have. */
  confirmedBy: string[];
  /** Which relay holds the event and until when; a lapsed lease may be claimed by another relay. */
  leaseOwner: string | null;
  leaseUntil: Date | null;
  lastError: string | null;
  /** Set when the event can never be published (unknown type, payload fails its schema). */
  parkedAt: Date | null;
  /** Published events expire (TTL index) after the retention period; pending ones never do. */
  expiresAt: Date | null;
}

const outboxEventSchema = new Schema<OutboxEventDoc>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    aggregateId: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    occurredAt: { type: Date, required: true },
    requestId: { type: String, default: null },
    attempts: { type: Number, default: 0 },
    publishedAt: { type: Date, default: null },
    confirmedAt: { type: Date, default: null },
    confirmedBy: { type: [String], default: [] },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    lastError: { type: String, default: null },
    parkedAt: { type: Date, default: null },
    expiresAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false, collection: 'outbox' },
);

// The relay's scan: pending (unpublished, unparked) events, oldest first.
outboxEventSchema.index({ publishedAt: 1, parkedAt: 1, occurredAt: 1 });
// Per-aggregate ordering check: is there an older pending event of the same aggregate?
outboxEventSchema.index({ aggregateId: 1, occurredAt: 1 });
// Published but never confirmed: candidates for a re-publish.
outboxEventSchema.index({ confirmedAt: 1, publishedAt: 1 });
outboxEventSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type OutboxEventModel = Model<OutboxEventDoc>;

/** The OutboxEvent model on `connection`, compiled once per connection. */
export function outboxEventModel(connection: Connection): OutboxEventModel {
  return (connection.models.OutboxEvent as OutboxEventModel | undefined) ?? connection.model<OutboxEventDoc>('OutboxEvent', outboxEventSchema);
}
