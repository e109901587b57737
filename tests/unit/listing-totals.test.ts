// Catalog totals kept per process: reuse within the TTL, one count per filter at a time, cleared by writes.
import { createTotalsCache } from '../../src/services/listing/totals';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('totals cache', () => {
  let clock = 0;
  const make = (ttlMs = 1000) => createTotalsCache({ ttlMs, now: () => clock });
  beforeEach(() => {
    clock = 0;
  });

  it('when the same filter is counted within the TTL, then the count runs once', async () => {
    const totals = make();
    const count = jest.fn(async () => 42);
    expect(await totals.total({ status: 'active' }, count)).toBe(42);
    expect(await totals.total({ status: 'active' }, count)).toBe(42);
    expect(count).toHaveBeenCalledTimes(1);
    clock = 1001;
    await totals.total({ status: 'active' }, count);
    expect(count).toHaveBeenCalledTimes(2);
  });

  it('when filters differ (including regular expressions), then each has its own total', async () => {
    const totals = make();
    expect(await totals.total({ name: /phone/i }, async () => 1)).toBe(1);
    expect(await totals.total({ name: /tablet/i }, async () => 2)).toBe(2);
  });

  it('when a write clears the totals while a count is in flight, then that count is answered but not kept', async () => {
    const totals = make();
    const slow = deferred<number>();
    const first = totals.total({}, () => slow.promise);
    totals.clear();
    const second = totals.total({}, async () => 11);
    slow.resolve(10);
    expect(await first).toBe(10);
    expect(await second).toBe(11);
    expect(await totals.total({}, async () => 99)).toBe(11);
  });

  it('when the TTL is 0, then every page counts', async () => {
    const totals = make(0);
    const count = jest.fn(async () => 1);
    await totals.total({}, count);
    await totals.total({}, count);
    expect(count).toHaveBeenCalledTimes(2);
  });
});
