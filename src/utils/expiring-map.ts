// A per-process map whose entries expire, holding at most `maxEntries` (the oldest stored leaves
// first): the one shape behind the principal cache, the catalog totals and the verified-token cache.

export interface ExpiringMap<K, V> {
  /** The value stored under `key` while it has not expired (an expired entry is dropped). */
  get(key: K): V | undefined;
  /** Stores `value` until `expiresAt` (ms since the epoch, on the map's clock). */
  set(key: K, value: V, expiresAt: number): void;
  delete(key: K): void;
  clear(): void;
}

export function createExpiringMap<K, V>(options: { readonly maxEntries: number; readonly now?: () => number }): ExpiringMap<K, V> {
  const now = options.now ?? (() => Date.now());
  const entries = new Map<K, { readonly value: V; readonly expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt > now()) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key, value, expiresAt) {
      entries.delete(key);
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value as K);
      entries.set(key, { value, expiresAt });
    },
    delete: (key) => void entries.delete(key),
    clear: () => entries.clear(),
  };
}
