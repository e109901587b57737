// The idempotency repository's contract: one claim per key, take-over of expired or abandoned
// attempts, stored responses replayed, and errors that are not duplicates reaching the caller.
import { IdempotencyKey } from '../../support/models';
import { createIdempotencyRepository, type IdempotencyScope } from '../../../src/repositories/idempotency.repository';
import { clearTestDatabase, useTestDatabase } from '../../support/db';

useTestDatabase();

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const KEY: IdempotencyScope = { principal: 'acct-1', scope: 'POST /api/v1/orders', key: 'k-1' };

describe('IdempotencyRepository', () => {
  const repo = createIdempotencyRepository(IdempotencyKey);

  afterEach(async () => {
    jest.restoreAllMocks();
    await clearTestDatabase();
  });

  it('when a key is claimed twice while the first attempt runs, then the second caller gets the live in-progress record', async () => {
    expect(await repo.claim(KEY, 'hash-a', at(0), at(30), at(3600))).toBeNull();
    expect(await repo.claim(KEY, 'hash-b', at(1), at(31), at(3601))).toEqual({ requestHash: 'hash-a', state: 'in_progress', leaseUntil: at(30), response: null });
  });

  it('when the same key is used by another principal or scope, then each claims its own record', async () => {
    expect(await repo.claim(KEY, 'h', at(0), at(30), at(3600))).toBeNull();
    expect(await repo.claim({ ...KEY, principal: 'acct-2' }, 'h', at(0), at(30), at(3600))).toBeNull();
    expect(await repo.claim({ ...KEY, scope: 'POST /api/v1/checkout' }, 'h', at(0), at(30), at(3600))).toBeNull();
    expect(await IdempotencyKey.countDocuments()).toBe(3);
  });

  it('when the first attempt completed, then a retry gets the stored response to replay', async () => {
    await repo.claim(KEY, 'hash-a', at(0), at(30), at(3600));
    await repo.complete(KEY, { status: 201, body: { id: 'o1' }, headers: { location: '/orders/o1' } }, at(7200));
    expect(await repo.claim(KEY, 'hash-a', at(5), at(35), at(3605))).toEqual({
      requestHash: 'hash-a',
      state: 'completed',
      leaseUntil: at(30),
      response: { status: 201, body: { id: 'o1' }, headers: { location: '/orders/o1' } },
    });
  });

  it('when a completed record lacks stored response fields, then the replay falls back to 200, a null body and no headers', async () => {
    await IdempotencyKey.collection.insertOne({ ...KEY, requestHash: 'h', state: 'completed', leaseUntil: at(30), expiresAt: at(3600) });
    expect(await repo.claim(KEY, 'h', at(1), at(31), at(3601))).toMatchObject({ state: 'completed', response: { status: 200, body: null, headers: {} } });
  });

  it('when the in-progress lease ran out (the worker died), then a new attempt takes the key over', async () => {
    await repo.claim(KEY, 'hash-a', at(0), at(30), at(3600));
    expect(await repo.claim(KEY, 'hash-b', at(30), at(60), at(3630))).toBeNull();
    expect(await IdempotencyKey.findOne(KEY).lean()).toMatchObject({ requestHash: 'hash-b', state: 'in_progress', leaseUntil: at(60) });
  });

  it('when a completed record expired but the TTL monitor has not removed it yet, then a new attempt takes the key over', async () => {
    await repo.claim(KEY, 'hash-a', at(0), at(30), at(3600));
    await repo.complete(KEY, { status: 201, body: {}, headers: {} }, at(100));
    expect(await repo.claim(KEY, 'hash-b', at(100), at(130), at(3700))).toBeNull();
    expect(await IdempotencyKey.findOne(KEY).lean()).toMatchObject({ requestHash: 'hash-b', state: 'in_progress', responseStatus: null });
  });

  it('when an attempt failed and released the key, then a retry runs again; a completed record is never released', async () => {
    await repo.claim(KEY, 'h', at(0), at(30), at(3600));
    await repo.release(KEY);
    expect(await repo.claim(KEY, 'h', at(1), at(31), at(3601))).toBeNull();
    await repo.complete(KEY, { status: 200, body: {}, headers: {} }, at(7200));
    await repo.release(KEY);
    expect(await IdempotencyKey.countDocuments({ state: 'completed' })).toBe(1);
  });

  it('when the key is longer than the model allows, then the validation error reaches the caller (not a duplicate)', async () => {
    await expect(repo.claim({ ...KEY, key: 'k'.repeat(300) }, 'h', at(0), at(30), at(3600))).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await IdempotencyKey.countDocuments()).toBe(0);
  });

  it('when a key is sent as an object, then it is stored as a string and cannot act as a query operator', async () => {
    await repo.claim(KEY, 'h', at(0), at(30), at(3600));
    const injected = { ...KEY, key: { $ne: null } as unknown as string };
    expect(await repo.claim(injected, 'h2', at(1), at(31), at(3601))).toBeNull();
    expect((await IdempotencyKey.find().lean()).map((d) => d.key).sort()).toEqual(['[object Object]', 'k-1']);
  });

  it('when the record expires and is swept between the refused insert and the read, then the caller sees an in-progress record and may retry', async () => {
    await repo.claim(KEY, 'hash-a', at(0), at(30), at(3600));
    const realFindOne = IdempotencyKey.findOne.bind(IdempotencyKey);
    jest.spyOn(IdempotencyKey, 'findOne').mockImplementationOnce(((filter: object) => {
      // The TTL monitor removes the record just before the repository reads it.
      return { lean: async () => { await IdempotencyKey.deleteMany({}); return realFindOne(filter).lean(); } };
    }) as unknown as typeof IdempotencyKey.findOne);
    expect(await repo.claim(KEY, 'hash-b', at(1), at(31), at(3601))).toEqual({ requestHash: 'hash-b', state: 'in_progress', leaseUntil: at(31), response: null });
  });
});
