// The only code that touches the outbox collection: append in the caller's transaction, claim with a
// lease (several relays may run), mark published, park poison events, and the admin/metrics views.
import type { ClientSession } from 'mongoose';
import type { OutboxEventDoc, OutboxEventModel } from '../models/OutboxEvent';

export type OutboxEventRecord = OutboxEventDoc;

export interface NewOutboxEvent {
  readonly id: string;
  readonly type: string;
  readonly aggregateId: string;
  readonly payload: Record<string, unknown>;
  readonly occurredAt: Date;
  readonly requestId: string | null;
}

export interface OutboxCounts {
  readonly pending: number;
  readonly parked: number;
  readonly published: number;
  /** Age of the oldest pending event in seconds (0 when none is pending). */
  readonly lagSeconds: number;
}

const PENDING = { publishedAt: null, parkedAt: null } as const;

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;

export function createOutboxRepository(model: OutboxEventModel) {
  return {
    /**
     * Appends events in the caller's session. An event id that already exists is the same fact
     * recorded again (a retried step): it is kept once and the duplicate is ignored.
     */
    async append(events: readonly NewOutboxEvent[], session: ClientSession | null): Promise<void> {
      if (!events.length) return;
      const docs = events.map((e) => ({ _id: e.id, type: e.type, aggregateId: e.aggregateId, payload: e.payload, occurredAt: e.occurredAt, requestId: e.requestId }));
      try {
        await model.insertMany(docs, { session: session ?? undefined, ordered: true });
      } catch (err) {
        // Inside a transaction a duplicate aborts it, so callers record each fact once per commit.
        if ((err as { code?: number }).code !== 11000 || session) throw err;
        for (const doc of docs) await model.updateOne({ _id: doc._id }, { $setOnInsert: doc }, { upsert: true });
      }
    },

    /**
     * Oldest pending events whose lease is free, then published ones never confirmed since
     * `unconfirmedBefore` (their job may have been lost with Redis). Candidates: `claim` decides.
     */
    async findClaimable(now: Date, limit: number, unconfirmedBefore: Date): Promise<OutboxEventRecord[]> {
      const free = { $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] };
      const pending = await model.find({ ...PENDING, ...free }).sort({ occurredAt: 1, _id: 1 }).limit(limit).lean<OutboxEventRecord[]>();
      if (pending.length >= limit) return pending;
      const unconfirmed = await model
        .find({ confirmedAt: null, parkedAt: null, publishedAt: { $ne: null, $lt: unconfirmedBefore }, ...free })
        .sort({ publishedAt: 1, _id: 1 })
        .limit(limit - pending.length)
        .lean<OutboxEventRecord[]>();
      return [...pending, ...unconfirmed];
    },

    /** Takes the lease on one event if nobody holds it; null when another relay was faster. */
    async claim(id: string, owner: string, now: Date, leaseUntil: Date, unconfirmedBefore: Date): Promise<OutboxEventRecord | null> {
      return model
        .findOneAndUpdate(
          {
            _id: id,
            parkedAt: null,
            confirmedAt: null,
            $and: [{ $or: [{ publishedAt: null }, { publishedAt: { $lt: unconfirmedBefore } }] }, { $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] }],
          },
          { $set: { leaseOwner: owner, leaseUntil }, $inc: { attempts: 1 } },
          { returnDocument: 'after' },
        )
        .lean<OutboxEventRecord | null>();
    },

    /** True when an older event of the same aggregate is still pending (it must go first). */
    async hasOlderPending(event: Pick<OutboxEventRecord, '_id' | 'aggregateId' | 'occurredAt'>): Promise<boolean> {
      const older = await model.exists({
        aggregateId: event.aggregateId,
        ...PENDING,
        $or: [{ occurredAt: { $lt: event.occurredAt } }, { occurredAt: event.occurredAt, _id: { $lt: event._id } }],
      });
      return older !== null;
    },

    /**
     * `forget` names payload fields (secrets) that are removed now that the job carries them;
     * `confirmed` marks the work done at once (a fan-out, whose emails confirm nothing themselves).
     */
    async markPublished(id: string, owner: string, now: Date, expiresAt: Date, forget: readonly string[] = [], confirmed = false): Promise<void> {
      const unset = Object.fromEntries(forget.map((field) => [`payload.${field}`, '']));
      await model.updateOne(
        { _id: id, leaseOwner: owner },
        { $set: { publishedAt: now, expiresAt, leaseOwner: null, leaseUntil: null, lastError: null, ...(confirmed && { confirmedAt: now }) }, ...(forget.length && { $unset: unset }) },
      );
    },

    /** Gives the lease back (publish failed or must wait); the claim's attempt is kept unless undone. */
    async release(id: string, owner: string, error: string | null, undoAttempt = false): Promise<void> {
      await model.updateOne(
        { _id: id, leaseOwner: owner },
        { $set: { leaseOwner: null, leaseUntil: null, ...(error !== null && { lastError: error }) }, ...(undoAttempt && { $inc: { attempts: -1 } }) },
      );
    },

    async park(id: string, owner: string, reason: string, now: Date): Promise<void> {
      await model.updateOne({ _id: id, leaseOwner: owner }, { $set: { parkedAt: now, lastError: reason, leaseOwner: null, leaseUntil: null } });
    },

    /**
     * One consumer finished the event's work; once every consumer in `expected` has, the event is
     * confirmed and only kept for the retention period. Two idempotent steps, so consumers confirming
     * concurrently cannot lose the confirmation: whichever sees the full set sets `confirmedAt`.
     */
    async confirm(id: string, consumer: string, expected: readonly string[], now: Date): Promise<void> {
      if (!expected.length) return;
      await model.updateOne({ _id: id }, { $addToSet: { confirmedBy: consumer } });
      await model.updateOne({ _id: id, confirmedAt: null, confirmedBy: { $all: [...expected] } }, { $set: { confirmedAt: now } });
    },

    /** Parked events, and pending ones older than `stuckBefore` (the admin list), oldest first. */
    async findStuck(stuckBefore: Date, limit: number): Promise<OutboxEventRecord[]> {
      return model
        .find({ publishedAt: null, $or: [{ parkedAt: { $ne: null } }, { occurredAt: { $lt: stuckBefore } }] })
        .sort({ occurredAt: 1, _id: 1 })
        .limit(limit)
        .lean<OutboxEventRecord[]>();
    },

    async findById(id: string): Promise<OutboxEventRecord | null> {
      return model.findById(id).lean<OutboxEventRecord | null>();
    },

    /** Back to pending with a free lease: the next relay pass publishes it again (same job id). */
    async requeue(id: string): Promise<OutboxEventRecord | null> {
      return model
        .findOneAndUpdate(
          { _id: id },
          { $set: { publishedAt: null, confirmedAt: null, confirmedBy: [], parkedAt: null, expiresAt: null, leaseOwner: null, leaseUntil: null, attempts: 0 } },
          { returnDocument: 'after' },
        )
        .lean<OutboxEventRecord | null>();
    },

    async counts(now: Date): Promise<OutboxCounts> {
      const [pending, parked, published, oldest] = await Promise.all([
        model.countDocuments(PENDING),
        model.countDocuments({ publishedAt: null, parkedAt: { $ne: null } }),
        model.countDocuments({ publishedAt: { $ne: null } }),
        model.findOne(PENDING).sort({ occurredAt: 1 }).select({ occurredAt: 1 }).lean<{ occurredAt: Date } | null>(),
      ]);
      const lagSeconds = oldest ? Math.max(0, (now.getTime() - new Date(oldest.occurredAt).getTime()) / 1000) : 0;
      return { pending, parked, published, lagSeconds };
    },
  };
}
