// The principal cache's local rules (no Redis: one process): reuse, expiry, invalidation and the
// race between a load and a write.
import { createPrincipalCache } from '../../src/services/auth/principal-cache';
import type { Principal } from '../../src/utils/roles';

const id = '64b7f0c2a1b2c3d4e5f60718';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('principal cache', () => {
  let clock = 0;
  const options = { ttlMs: 1000, keyPrefix: 'unit:', now: () => clock };
  beforeEach(() => {
    clock = 0;
  });

  it('when a principal was loaded, then the next request within the TTL reuses it without loading', async () => {
    const cache = createPrincipalCache(null, options);
    const load = jest.fn(async (): Promise<Principal> => ({ id, role: 'admin' }));
    await cache.get(id, load);
    expect(await cache.get(id, load)).toEqual({ id, role: 'admin' });
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.holds(id)).toBe(true);
  });

  it('when the TTL has passed, then the principal is loaded again', async () => {
    const cache = createPrincipalCache(null, options);
    const load = jest.fn(async (): Promise<Principal> => ({ id, role: 'admin' }));
    await cache.get(id, load);
    clock = 1001;
    await cache.get(id, load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('when the account was written, then the next request loads the new principal', async () => {
    const cache = createPrincipalCache(null, options);
    await cache.get(id, async () => ({ id, role: 'admin' }));
    await cache.invalidate(id);
    expect(cache.holds(id)).toBe(false);
    expect(await cache.get(id, async () => null)).toBeNull();
  });

  it('when a write lands while a load is in flight, then the stale answer is not stored nor shared with later requests', async () => {
    const cache = createPrincipalCache(null, options);
    const slow = deferred<Principal | null>();
    const first = cache.get(id, () => slow.promise);
    await cache.invalidate(id);
    const after = cache.get(id, async () => null);
    slow.resolve({ id, role: 'admin' });
    expect(await first).toEqual({ id, role: 'admin' });
    expect(await after).toBeNull();
    // The raced load did not overwrite the fresh (null) entry.
    expect(await cache.get(id, async () => ({ id, role: 'customer' }))).toBeNull();
  });

  it('when concurrent requests miss, then one load serves them all', async () => {
    const cache = createPrincipalCache(null, options);
    const load = jest.fn(async (): Promise<Principal> => ({ id, role: 'manager' }));
    await Promise.all([cache.get(id, load), cache.get(id, load), cache.get(id, load)]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('when the TTL is 0, then every request loads', async () => {
    const cache = createPrincipalCache(null, { ...options, ttlMs: 0 });
    const load = jest.fn(async (): Promise<Principal> => ({ id, role: 'admin' }));
    await cache.get(id, load);
    await cache.get(id, load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
