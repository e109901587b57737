// Cache-aside for product reads, in Redis when configured. Invalidation is by version stamps:
//  - every product has a generation counter; its cached view lives under item:<id>:<generation>;
//  - every list/facet answer lives under list:<catalogVersion>:<hash of the normalized query>.
// A write bumps the product's generation and the catalog version (one MULTI, O(1) whatever is
// cached), so later reads compute new keys and never see the old answer; old keys expire by TTL.
// A reader that raced a writer stores its answer under the old stamp, which nobody reads again.
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { logger } from '../utils/logger';

export interface ProductCache {
  readonly enabled: boolean;
  /** The cached value for a product id, or `load()` stored under the current generation. */
  item<T>(id: string, load: () => Promise<T | null>): Promise<T | null>;
  /** slug → id, so slug reads share the id's entry (and its invalidation). */
  idForSlug(slug: string, load: () => Promise<string | null>): Promise<string | null>;
  /** A list or facet answer keyed by the normalized query. */
  query<T>(kind: string, normalizedQuery: unknown, load: () => Promise<T>): Promise<T>;
  /** Makes every cached answer that could include these products unreachable. */
  invalidate(ids: readonly string[]): Promise<void>;
}

export interface ProductCacheOptions {
  readonly keyPrefix: string;
  readonly ttlSeconds: number;
}

/** Stable JSON: object keys sorted, so equal queries give equal keys whatever the parameter order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function createNoopProductCache(): ProductCache {
  return {
    enabled: false,
    item: (_id, load) => load(),
    idForSlug: (_slug, load) => load(),
    query: (_kind, _q, load) => load(),
    invalidate: async () => undefined,
  };
}

export function createProductCache(redis: Redis | null, options: ProductCacheOptions): ProductCache {
  if (!redis) return createNoopProductCache();
  const base = `${options.keyPrefix}products:`;
  const inflight = new Map<string, Promise<unknown>>();

  // Single flight: concurrent misses for one key in this process share one load.
  function once<T>(key: string, work: () => Promise<T>): Promise<T> {
    const pending = inflight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const started = work().finally(() => inflight.delete(key));
    inflight.set(key, started);
    return started;
  }

  // Redis trouble must never fail a read: log it and serve from the database.
  async function safely<T>(what: string, op: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await op();
    } catch (err) {
      logger.warn('product cache unavailable', { op: what, error: (err as Error).message });
      return fallback;
    }
  }

  async function readThrough<T>(key: string | null, load: () => Promise<T>, shouldStore: (v: T) => boolean): Promise<T> {
    if (!key) return load();
    const hit = await safely('get', () => redis!.get(key), null);
    if (hit !== null) return JSON.parse(hit) as T;
    return once(key, async () => {
      const value = await load();
      if (shouldStore(value)) await safely('set', () => redis!.set(key, JSON.stringify(value), 'EX', options.ttlSeconds), null);
      return value;
    });
  }

  return {
    enabled: true,
    async item(id, load) {
      const generation = await safely('get', () => redis.get(`${base}gen:${id}`), undefined);
      const key = generation === undefined ? null : `${base}item:${id}:${generation ?? '0'}`;
      return readThrough(key, load, (v) => v !== null);
    },
    async idForSlug(slug, load) {
      return readThrough(`${base}slug:${slug}`, load, (v) => v !== null);
    },
    async query(kind, normalizedQuery, load) {
      const version = await safely('get', () => redis.get(`${base}catalog-version`), undefined);
      const hash = createHash('sha256').update(stableStringify(normalizedQuery)).digest('base64url');
      const key = version === undefined ? null : `${base}${kind}:${version ?? '0'}:${hash}`;
      return readThrough(key, load, () => true);
    },
    async invalidate(ids) {
      const multi = redis.multi().incr(`${base}catalog-version`);
      // Generations outlive every entry stamped with them (10× TTL), so a counter that expired and
      // restarts at 1 can never meet an entry written under an earlier 1.
      for (const id of ids) multi.incr(`${base}gen:${id}`).expire(`${base}gen:${id}`, Math.max(options.ttlSeconds * 10, 3600));
      try {
        await multi.exec();
      } catch (err) {
        // The write is committed; cached answers stay stale for at most the TTL. Loud, not fatal.
        logger.error('product cache invalidation failed', { ids, error: (err as Error).message });
      }
    },
  };
}
