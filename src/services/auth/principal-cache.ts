// A short-lived per-process cache of principals (who an access token's subject is now: role and
// whether the account may act), so an authenticated request does not read MongoDB every time.
// "Role and status changes apply on the next request" still holds:
//  - every account write made through the application bumps the account's local version stamp
//    and drops its entry before the write's response is sent, and publishes the account id on a
//    Redis channel that every API process subscribes to, so they drop theirs too;
//  - a load that raced an invalidation (read the old row, finished after the bump) is not stored;
//  - while this process's subscription is not live (starting, Redis away, reconnecting) nothing is
//    served from the cache, and everything cached is dropped when it comes back, so a missed
//    message can never leave a stale entry behind;
//  - entries expire after `ttlMs` whatever happens, which bounds writes made behind the
//    application's back (an operator editing the collection by hand).
import type Redis from 'ioredis';
import type { AccountRepository } from '../../repositories/account.repository';
import { createExpiringMap } from '../../utils/expiring-map';
import { logger } from '../../utils/logger';
import type { Principal } from '../../utils/roles';

export interface PrincipalCacheOptions {
  /** Lifetime of an entry; 0 turns the cache off (every request reads the database). */
  readonly ttlMs: number;
  /** Entries kept at most; the oldest go first. */
  readonly maxEntries?: number;
  readonly keyPrefix: string;
  readonly now?: () => number;
}

export interface PrincipalCache {
  /** The cached principal of `accountId`, or `load()`'s answer (stored when no write raced it). */
  get(accountId: string, load: () => Promise<Principal | null>): Promise<Principal | null>;
  /** Drops the account's entry here and in every other process (call after the write committed). */
  invalidate(accountId: string): Promise<void>;
  /** Whether a fresh entry for the account would be served now (diagnostics and tests). */
  holds(accountId: string): boolean;
}

export function principalChannel(keyPrefix: string): string {
  return `${keyPrefix}auth:principal-changed`;
}

/** Without Redis (development, single process) invalidation is local only. */
export function createPrincipalCache(redis: Redis | null, options: PrincipalCacheOptions): PrincipalCache {
  const now = options.now ?? Date.now;
  const entries = createExpiringMap<string, Principal | null>({ maxEntries: options.maxEntries ?? 10_000, now });
  const inflight = new Map<string, Promise<Principal | null>>();
  // Per-account version stamps, bumped by every invalidation this process hears of; `resets`
  // counts the times everything was dropped. A load stores its answer only if neither moved.
  const versions = new Map<string, number>();
  let resets = 0;
  const channel = principalChannel(options.keyPrefix);
  let subscriber: Redis | null = null;
  let live = redis === null;

  function dropAll(): void {
    resets += 1;
    entries.clear();
    versions.clear();
  }

  function drop(accountId: string): void {
    entries.delete(accountId);
    versions.set(accountId, (versions.get(accountId) ?? 0) + 1);
  }

  // Subscribed on first use, so processes that never authenticate (the worker) hold no subscriber.
  function subscribe(client: Redis): void {
    const sub = client.duplicate({ lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: false });
    subscriber = sub;
    sub.on('message', (_channel: string, accountId: string) => drop(accountId));
    sub.on('error', (err: Error) => logger.debug('principal cache subscriber error', { error: err.message }));
    // Messages published while the connection was down are lost: serve nothing from the cache
    // until the subscription is back, and start it empty.
    const down = () => {
      live = false;
      dropAll();
    };
    sub.on('close', down);
    sub.on('ready', () => {
      down();
      sub.subscribe(channel).then(
        () => {
          dropAll();
          live = true;
        },
        (err: Error) => logger.warn('principal cache subscription failed; reading principals from the database', { error: err.message }),
      );
    });
    // The subscriber lives as long as the shared client: quitting it (shutdown, tests) ends this one too.
    client.once('end', () => {
      live = false;
      sub.disconnect();
    });
    sub.connect().catch((err: Error) => logger.warn('principal cache subscriber unavailable', { error: err.message }));
  }

  function loadAndStore(accountId: string, load: () => Promise<Principal | null>): Promise<Principal | null> {
    const pending = inflight.get(accountId);
    if (pending) return pending;
    const version = versions.get(accountId) ?? 0;
    const epoch = resets;
    const started = load()
      .then((principal) => {
        const raced = (versions.get(accountId) ?? 0) !== version || resets !== epoch;
        if (live && !raced) entries.set(accountId, principal, now() + options.ttlMs);
        return principal;
      })
      .finally(() => {
        if (inflight.get(accountId) === started) inflight.delete(accountId);
      });
    inflight.set(accountId, started);
    return started;
  }

  return {
    get(accountId, load) {
      if (options.ttlMs <= 0) return load();
      if (redis && !subscriber) subscribe(redis);
      if (!live) return load();
      const cached = entries.get(accountId);
      return cached !== undefined ? Promise.resolve(cached) : loadAndStore(accountId, load);
    },

    holds(accountId) {
      return live && entries.get(accountId) !== undefined;
    },

    async invalidate(accountId) {
      drop(accountId);
      // An in-flight load started before the write must not be shared with requests after it.
      inflight.delete(accountId);
      if (!redis || redis.status !== 'ready') return;
      // Awaited, so the write's response leaves after the other processes were told.
      await redis.publish(channel, accountId).catch((err: Error) => logger.warn('principal invalidation not published', { accountId, error: err.message }));
    },
  };
}

/**
 * The account repository with every write that can change a principal (role, status, lock,
 * deletion, a new account under a chosen id) followed by the cache invalidation, so no caller
 * can forget it. Reads pass through untouched.
 */
export function invalidatingPrincipals(accounts: AccountRepository, cache: Pick<PrincipalCache, 'invalidate'>): AccountRepository {
  const after = async <T>(accountId: string, result: T): Promise<T> => {
    await cache.invalidate(accountId);
    return result;
  };
  return {
    ...accounts,
    create: async (input, session) => {
      const created = await accounts.create(input, session);
      return after(created.id, created);
    },
    update: async (id, changes) => after(id, await accounts.update(id, changes)),
    setPassword: async (id, password) => after(id, await accounts.setPassword(id, password)),
    recordFailedLogin: async (id, max, lockUntil) => {
      const outcome = await accounts.recordFailedLogin(id, max, lockUntil);
      return outcome.locked ? after(id, outcome) : outcome;
    },
    recordSuccessfulLogin: async (id, at) => after(id, await accounts.recordSuccessfulLogin(id, at)),
    delete: async (id, at) => after(id, await accounts.delete(id, at)),
    restore: async (id) => after(id, await accounts.restore(id)),
  };
}
