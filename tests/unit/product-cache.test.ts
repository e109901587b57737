// The cache-aside rules with an in-memory Redis fake passed by argument: version stamps,
// single flight, and degrading to the database when Redis fails.
import type Redis from 'ioredis';
import { createProductCache, stableStringify } from '../../src/services/products/cache';

function fakeRedis(options: { failing?: boolean } = {}) {
  const store = new Map<string, string>();
  const fail = async () => {
    throw new Error('connection is closed');
  };
  const redis = {
    store,
    get: options.failing ? fail : async (key: string) => store.get(key) ?? null,
    mget: options.failing ? fail : async (...keys: string[]) => keys.map((key) => store.get(key) ?? null),
    set: options.failing ? fail : async (key: string, value: string) => void store.set(key, value),
    multi() {
      const ops: (() => void)[] = [];
      const chain = {
        incr(key: string) {
          ops.push(() => store.set(key, String(Number(store.get(key) ?? 0) + 1)));
          return chain;
        },
        expire() {
          return chain;
        },
        exec: options.failing ? fail : async () => ops.forEach((op) => op()),
      };
      return chain;
    },
  };
  return redis as typeof redis & Redis;
}

const OPTIONS = { keyPrefix: 'unit:', ttlSeconds: 60 };

describe('stableStringify', () => {
  it('when keys come in another order or values are undefined, then the text is the same', () => {
    expect(stableStringify({ b: 1, a: [1, { d: 2, c: new Date(0) }], z: undefined })).toBe(stableStringify({ a: [1, { c: new Date(0), d: 2 }], b: 1 }));
  });
});

describe('createProductCache', () => {
  it('when a value is cached and then invalidated, then the next read loads again', async () => {
    const cache = createProductCache(fakeRedis(), OPTIONS);
    let loads = 0;
    const load = async () => ({ n: (loads += 1) });
    expect(await cache.item('p1', load)).toEqual({ n: 1 });
    expect(await cache.item('p1', load)).toEqual({ n: 1 });
    expect(await cache.query('list', { a: 1 }, load)).toEqual({ n: 2 });
    expect(await cache.query('list', { a: 1 }, load)).toEqual({ n: 2 });
    await cache.invalidate(['p1']);
    expect(await cache.item('p1', load)).toEqual({ n: 3 });
    expect(await cache.query('list', { a: 1 }, load)).toEqual({ n: 4 });
  });

  it('when invalidating one product, then other products keep their entries', async () => {
    const cache = createProductCache(fakeRedis(), OPTIONS);
    let loads = 0;
    const load = async () => (loads += 1);
    await cache.item('p1', load);
    await cache.item('p2', load);
    await cache.invalidate(['p1']);
    await cache.item('p2', load);
    expect(loads).toBe(2);
  });

  it('when many reads miss at once, then the database is loaded once (single flight)', async () => {
    const cache = createProductCache(fakeRedis(), OPTIONS);
    let loads = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const load = async () => {
      loads += 1;
      await gate;
      return 'value';
    };
    const reads = Array.from({ length: 5 }, () => cache.query('list', { q: 1 }, load));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await Promise.all(reads)).toEqual(Array(5).fill('value'));
    expect(loads).toBe(1);
  });

  it('when Redis fails, then reads come from the loader and invalidation does not throw', async () => {
    const cache = createProductCache(fakeRedis({ failing: true }), OPTIONS);
    expect(await cache.item('p1', async () => 'db')).toBe('db');
    expect(await cache.query('list', {}, async () => 'db')).toBe('db');
    await expect(cache.invalidate(['p1'])).resolves.toBeUndefined();
  });

  it('when the product does not exist, then the miss is not cached', async () => {
    const redis = fakeRedis();
    const cache = createProductCache(redis, OPTIONS);
    await cache.item('nope', async () => null);
    expect([...redis.store.keys()].filter((k) => k.endsWith(':item'))).toEqual([]);
  });

  it('when a read that started before a write stores its answer after it, then later reads do not serve that answer', async () => {
    const redis = fakeRedis();
    const cache = createProductCache(redis, OPTIONS);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowStaleRead = cache.item('p1', async () => {
      await gate;
      return 'old';
    });
    await new Promise((resolve) => setImmediate(resolve));
    await cache.invalidate(['p1']); // the write lands while the slow read is loading
    release();
    expect(await slowStaleRead).toBe('old');
    expect(await cache.item('p1', async () => 'new')).toBe('new');
    expect(await cache.item('p1', async () => 'unexpected load')).toBe('new');
  });

  it('when a list answer is cached, then any product write makes the next list read load again', async () => {
    const cache = createProductCache(fakeRedis(), OPTIONS);
    let loads = 0;
    const load = async () => (loads += 1);
    await cache.query('facets', { tag: 'a' }, load);
    await cache.query('facets', { tag: 'a' }, load);
    await cache.invalidate(['any-product']);
    expect(await cache.query('facets', { tag: 'a' }, load)).toBe(2);
  });
});
