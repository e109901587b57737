// Cache-aside for product reads, in Redis when configured. Invalidation is by version stamps:
//  - every product has a generation counter ({id}:gen); its cached view ({id}:item) is stored as
//    "<generation>\n<json>";
//  - every list/facet answer ({catalog}:<kind>:<hash of the normalized query>) is stored as
//    "<catalog version>\n<json>".
// A read is one round trip: MGET of the stamp and the entry, a hit only when the entry carries the
// current stamp. A write bumps the product's generation and the catalog version (one MULTI, O(1)
// whatever is cached), so every older entry stops matching; entries expire by TTL. A reader that
// raced a writer stores its answer under the old stamp, which no later read accepts. The braces are
// Redis hash tags: a stamp and its entries share a slot, so the MGET stays valid on a cluster.
import { stableStringify } from '../../utils/stable-stringify';
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { logger } from '../../utils/logger';
import type { TotalsCache } from '../listing/totals';

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

export { stableStringify };

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
  const catalogVersionKey = `${base}{catalog}:version`;
  const generationKey = (id: string) => `${base}{${id}}:gen`;
  const itemKey = (id: string) => `${base}{${id}}:item`;

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

  async function readThrough<T>(key: string, load: () => Promise<T>, shouldStore: (v: T) => boolean): Promise<T> {
    const hit = await safely('get', () => redis!.get(key), null);
    if (hit !== null) return JSON.parse(hit) as T;
    return once(key, async () => {
      const value = await load();
      if (shouldStore(value)) await safely('set', () => redis!.set(key, JSON.stringify(value), 'EX', options.ttlSeconds), null);
      return value;
    });
  }

  /** One round trip for the stamp and the entry; a miss loads once and stores under the stamp it read. */
  async function stamped<T>(stampKey: string, entryKey: string, load: () => Promise<T>, shouldStore: (v: T) => boolean): Promise<T> {
    const pair = await safely('mget', () => redis!.mget(stampKey, entryKey), null);
    if (!pair) return load(); // Redis is unavailable: the database answers.
    const stamp = pair[0] ?? '0';
    const entry = pair[1];
    if (entry) {
      const split = entry.indexOf('\n');
      if (entry.slice(0, split) === stamp) return JSON.parse(entry.slice(split + 1)) as T;
    }
    return once(`${entryKey}@${stamp}`, async () => {
      const value = await load();
      if (shouldStore(value)) await safely('set', () => redis!.set(entryKey, `${stamp}\n${JSON.stringify(value)}`, 'EX', options.ttlSeconds), null);
      return value;
    });
  }

  return {
    enabled: true,
    async item(id, load) {
      return stamped(generationKey(id), itemKey(id), load, (v) => v !== null);
    },
    async idForSlug(slug, load) {
      return readThrough(`${base}slug:${slug}`, load, (v) => v !== null);
    },
    async query(kind, normalizedQuery, load) {
      const hash = createHash('sha256').update(stableStringify(normalizedQuery)).digest('base64url');
      return stamped(catalogVersionKey, `${base}{catalog}:${kind}:${hash}`, load, () => true);
    },
    async invalidate(ids) {
      const multi = redis.multi().incr(catalogVersionKey);
      // Generations outlive every entry stamped with them (10× TTL), so a counter that expired and
      // restarts at 1 can never meet an entry written under an earlier 1.
      for (const id of ids) multi.incr(generationKey(id)).expire(generationKey(id), Math.max(options.ttlSeconds * 10, 3600));
      try {
        await multi.exec();
      } catch (err) {
        // The write is committed; cached answers stay stale for at most the TTL. Loud, not fatal.
        logger.error('product cache invalidation failed', { ids, error: (err as Error).message });
      }
    },
  };
}

/** The cache with every invalidation also clearing this process's catalog totals (`listing/totals.ts`). */
export function clearingTotals(cache: ProductCache, totals: Pick<TotalsCache, 'clear'>): ProductCache {
  return {
    ...cache,
    async invalidate(ids) {
      totals.clear();
      await cache.invalidate(ids);
    },
  };
}
