// Offset totals per filter, kept per process for a few seconds: the count behind `meta.total` is
// the costliest part of a catalog page (a search or range filter counts every match, where the page
// itself stops after 21 rows). The rows are always read fresh; only the total may lag, and only
// behind writes made by another process — the owner clears it on every write it makes (the product
// cache's invalidation hook), and entries expire after `ttlMs` whatever happens.

import { createExpiringMap } from '../../utils/expiring-map';

/** The filter as text: ObjectIds and dates through their toJSON, regular expressions by source and flags. */
function keyOf(filter: unknown): string {
  return JSON.stringify(filter, (_key, value: unknown) => (value instanceof RegExp ? `/${value.source}/${value.flags}` : value));
}

export interface TotalsCache {
  /** The cached total for `filter`, or `count()` (one count per filter at a time). */
  total(filter: unknown, count: () => Promise<number>): Promise<number>;
  /** Drops every total (a write may have changed any of them). */
  clear(): void;
}

export function createTotalsCache(options: { ttlMs: number; maxEntries?: number; now?: () => number }): TotalsCache {
  const now = options.now ?? Date.now;
  const entries = createExpiringMap<string, number>({ maxEntries: options.maxEntries ?? 1000, now });
  const inflight = new Map<string, { promise: Promise<number>; generation: number }>();
  let generation = 0;

  return {
    total(filter, count) {
      if (options.ttlMs <= 0) return count();
      const key = keyOf(filter);
      const cached = entries.get(key);
      if (cached !== undefined) return Promise.resolve(cached);
      const pending = inflight.get(key);
      if (pending && pending.generation === generation) return pending.promise;
      const started = generation;
      const promise = count().then((total) => {
        // A count that started before a write may have missed it: answer with it, do not keep it.
        if (started === generation) entries.set(key, total, now() + options.ttlMs);
        return total;
      });
      const settle = () => {
        if (inflight.get(key)?.promise === promise) inflight.delete(key);
      };
      promise.then(settle, settle);
      inflight.set(key, { promise, generation: started });
      return promise;
    },

    clear() {
      generation += 1;
      entries.clear();
    },
  };
}
