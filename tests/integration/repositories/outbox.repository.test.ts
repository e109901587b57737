// The outbox repository's contract beyond what the relay tests reach: leases between relays,
// duplicate appends, what publishing forgets, confirmation by every consumer, and the admin views.
import mongoose from 'mongoose';
import { OutboxEvent } from '../../support/models';
import { createOutboxRepository, type NewOutboxEvent } from '../../../src/repositories/outbox.repository';
import { clearTestDatabase, useTestDatabase } from '../../support/db';

useTestDatabase();

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const FAR_PAST = new Date(0);

function event(id: string, overrides: Partial<NewOutboxEvent> = {}): NewOutboxEvent {
  return { id, type: 'order-placed', aggregateId: 'order-1', payload: { orderId: 'order-1' }, occurredAt: T0, requestId: null, ...overrides };
}

describe('OutboxRepository', () => {
  const repo = createOutboxRepository(OutboxEvent);

  afterEach(clearTestDatabase);

  describe('append', () => {
    it('when nothing is appended, then no event is stored', async () => {
      await repo.append([], null);
      expect(await OutboxEvent.countDocuments()).toBe(0);
    });

    it('when a batch repeats an already recorded fact outside a transaction, then each fact is kept once and the new one is stored', async () => {
      await repo.append([event('e1', { payload: { first: true } })], null);
      await repo.append([event('e1', { payload: { first: false } }), event('e2')], null);
      const stored = await OutboxEvent.find().sort({ _id: 1 }).lean();
      expect(stored.map((e) => e._id)).toEqual(['e1', 'e2']);
      expect(stored[0].payload).toEqual({ first: true });
    });

    it('when an event is invalid, then the error reaches the caller instead of being swallowed', async () => {
      await expect(repo.append([event('bad', { type: undefined as unknown as string })], null)).rejects.toThrow();
      expect(await OutboxEvent.countDocuments()).toBe(0);
    });

    it('when a duplicate is appended inside a transaction, then the caller gets the error (the transaction must abort)', async () => {
      await repo.append([event('e1')], null);
      const session = await mongoose.connection.startSession();
      try {
        await expect(session.withTransaction(() => repo.append([event('e1')], session))).rejects.toMatchObject({ code: 11000 });
      } finally {
        await session.endSession();
      }
      expect(await OutboxEvent.countDocuments()).toBe(1);
    });
  });

  describe('claim', () => {
    it('when one relay holds the lease, then a second claimer gets null until the lease lapses, then it can reclaim', async () => {
      await repo.append([event('e1')], null);
      const first = await repo.claim('e1', 'relay-a', at(0), at(30), FAR_PAST);
      expect(first).toMatchObject({ leaseOwner: 'relay-a', attempts: 1 });
      expect(await repo.claim('e1', 'relay-b', at(10), at(40), FAR_PAST)).toBeNull();
      const second = await repo.claim('e1', 'relay-b', at(31), at(60), FAR_PAST);
      expect(second).toMatchObject({ leaseOwner: 'relay-b', attempts: 2 });
    });

    it('when an event is parked or confirmed, then it cannot be claimed', async () => {
      await repo.append([event('parked'), event('done')], null);
      await repo.claim('parked', 'r', at(0), at(30), FAR_PAST);
      await repo.park('parked', 'r', 'unknown type', at(1));
      await repo.claim('done', 'r', at(0), at(30), FAR_PAST);
      await repo.markPublished('done', 'r', at(1), at(3600), [], true);
      expect(await repo.claim('parked', 'r2', at(100), at(130), at(100))).toBeNull();
      expect(await repo.claim('done', 'r2', at(100), at(130), at(100))).toBeNull();
    });

    it('when a published event is unconfirmed, then it is claimable only once published before the cut-off', async () => {
      await repo.append([event('e1')], null);
      await repo.claim('e1', 'r', at(0), at(30), FAR_PAST);
      await repo.markPublished('e1', 'r', at(5), at(3600));
      expect(await repo.claim('e1', 'r2', at(6), at(36), at(5))).toBeNull();
      expect(await repo.claim('e1', 'r2', at(60), at(90), at(6))).toMatchObject({ leaseOwner: 'r2' });
    });
  });

  describe('findClaimable', () => {
    it('when pending events fill the limit, then only those are returned, oldest first with ties by id', async () => {
      await repo.append([event('b', { occurredAt: at(1) }), event('a', { occurredAt: at(1) }), event('c', { occurredAt: at(0) })], null);
      const found = await repo.findClaimable(at(10), 2, at(10));
      expect(found.map((e) => e._id)).toEqual(['c', 'a']);
    });

    it('when room is left, then published-unconfirmed events from before the cut-off follow, and leased ones are skipped', async () => {
      await repo.append([event('pending', { occurredAt: at(0) }), event('leased', { occurredAt: at(0) }), event('old', { occurredAt: at(0) }), event('recent', { occurredAt: at(0) })], null);
      await repo.claim('leased', 'r', at(0), at(1000), FAR_PAST);
      for (const [id, publishedAt] of [['old', at(1)], ['recent', at(50)]] as const) {
        await repo.claim(id, 'r', at(0), at(30), FAR_PAST);
        await repo.markPublished(id, 'r', publishedAt, at(3600));
      }
      const found = await repo.findClaimable(at(60), 10, at(40));
      expect(found.map((e) => e._id)).toEqual(['pending', 'old']);
    });
  });

  describe('hasOlderPending', () => {
    it('when events of one aggregate share a timestamp, then the lower id goes first; other aggregates and published events do not count', async () => {
      await repo.append([event('a', { occurredAt: at(1) }), event('b', { occurredAt: at(1) }), event('x', { aggregateId: 'order-2', occurredAt: at(0) })], null);
      const a = (await repo.findById('a'))!;
      const b = (await repo.findById('b'))!;
      expect(await repo.hasOlderPending(b)).toBe(true);
      expect(await repo.hasOlderPending(a)).toBe(false);
      await repo.claim('a', 'r', at(2), at(30), FAR_PAST);
      await repo.markPublished('a', 'r', at(3), at(3600));
      expect(await repo.hasOlderPending(b)).toBe(false);
    });
  });

  describe('markPublished / release / park', () => {
    it('when published with fields to forget, then those payload fields are gone and the lease is free', async () => {
      await repo.append([event('e1', { payload: { orderId: 'o1', resetToken: 'secret', email: 'a@b.c' } })], null);
      await repo.claim('e1', 'r', at(0), at(30), FAR_PAST);
      await repo.markPublished('e1', 'r', at(1), at(3600), ['resetToken', 'email']);
      const stored = (await repo.findById('e1'))!;
      expect(stored.payload).toEqual({ orderId: 'o1' });
      expect(stored).toMatchObject({ publishedAt: at(1), expiresAt: at(3600), leaseOwner: null, leaseUntil: null, confirmedAt: null });
    });

    it('when a relay that lost the lease marks it published, then nothing changes', async () => {
      await repo.append([event('e1')], null);
      await repo.claim('e1', 'r1', at(0), at(30), FAR_PAST);
      await repo.claim('e1', 'r2', at(31), at(60), FAR_PAST);
      await repo.markPublished('e1', 'r1', at(32), at(3600));
      expect(await repo.findById('e1')).toMatchObject({ publishedAt: null, leaseOwner: 'r2' });
    });

    it('when released with an error, then the error is recorded and the attempt kept; undone, the attempt is given back', async () => {
      await repo.append([event('e1')], null);
      await repo.claim('e1', 'r', at(0), at(30), FAR_PAST);
      await repo.release('e1', 'r', 'redis down');
      expect(await repo.findById('e1')).toMatchObject({ leaseOwner: null, leaseUntil: null, lastError: 'redis down', attempts: 1 });
      await repo.claim('e1', 'r', at(1), at(30), FAR_PAST);
      await repo.release('e1', 'r', null, true);
      expect(await repo.findById('e1')).toMatchObject({ leaseOwner: null, lastError: 'redis down', attempts: 1 });
    });

    it('when parked, then it shows in the stuck list and requeue makes it pending again with a fresh count', async () => {
      await repo.append([event('e1', { occurredAt: at(100) })], null);
      await repo.claim('e1', 'r', at(100), at(130), FAR_PAST);
      await repo.park('e1', 'r', 'payload fails its schema', at(101));
      expect(await repo.findById('e1')).toMatchObject({ parkedAt: at(101), lastError: 'payload fails its schema', leaseOwner: null });
      expect((await repo.findStuck(at(0), 10)).map((e) => e._id)).toEqual(['e1']);
      const requeued = await repo.requeue('e1');
      expect(requeued).toMatchObject({ parkedAt: null, publishedAt: null, attempts: 0, leaseOwner: null });
      expect(await repo.findStuck(at(0), 10)).toEqual([]);
      expect(await repo.requeue('missing')).toBeNull();
    });
  });

  describe('confirm', () => {
    it('when only some consumers confirmed, then confirmedAt stays unset; when all have, it is set once', async () => {
      await repo.append([event('e1')], null);
      await repo.confirm('e1', 'email', ['email', 'analytics'], at(1));
      expect(await repo.findById('e1')).toMatchObject({ confirmedBy: ['email'], confirmedAt: null });
      await repo.confirm('e1', 'analytics', ['email', 'analytics'], at(2));
      expect(await repo.findById('e1')).toMatchObject({ confirmedAt: at(2) });
      await repo.confirm('e1', 'email', ['email', 'analytics'], at(3));
      expect(await repo.findById('e1')).toMatchObject({ confirmedBy: ['email', 'analytics'], confirmedAt: at(2) });
    });

    it('when an event type has no consumers, then confirming records nothing', async () => {
      await repo.append([event('e1')], null);
      await repo.confirm('e1', 'email', [], at(1));
      expect(await repo.findById('e1')).toMatchObject({ confirmedBy: [], confirmedAt: null });
    });
  });

  describe('findStuck / counts', () => {
    it('when pending events are older than the cut-off, then they are stuck, oldest first and up to the limit; newer and published ones are not', async () => {
      await repo.append([event('new', { occurredAt: at(100) }), event('old2', { occurredAt: at(2) }), event('old1', { occurredAt: at(1) }), event('pub', { occurredAt: at(0) })], null);
      await repo.claim('pub', 'r', at(0), at(30), FAR_PAST);
      await repo.markPublished('pub', 'r', at(1), at(3600));
      expect((await repo.findStuck(at(50), 10)).map((e) => e._id)).toEqual(['old1', 'old2']);
      expect((await repo.findStuck(at(50), 1)).map((e) => e._id)).toEqual(['old1']);
    });

    it('when nothing is pending, then the lag is 0; otherwise it is the age of the oldest pending event', async () => {
      expect(await repo.counts(at(10))).toEqual({ pending: 0, parked: 0, published: 0, lagSeconds: 0 });
      await repo.append([event('p1', { occurredAt: at(4) }), event('p2', { occurredAt: at(8) }), event('parked'), event('pub')], null);
      await repo.claim('parked', 'r', at(0), at(30), FAR_PAST);
      await repo.park('parked', 'r', 'bad', at(1));
      await repo.claim('pub', 'r', at(0), at(30), FAR_PAST);
      await repo.markPublished('pub', 'r', at(1), at(3600));
      expect(await repo.counts(at(10))).toEqual({ pending: 2, parked: 1, published: 1, lagSeconds: 6 });
      expect((await repo.counts(at(0))).lagSeconds).toBe(0);
    });
  });
});
