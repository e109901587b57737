// Idempotency as a route capability: one store keyed by (principal, route, key) with a request
// fingerprint. The record is claimed "in progress" before the work and completed after it, so an
// in-flight duplicate is told to retry (409) rather than running the work twice or contradicting it.
import { createHash } from 'node:crypto';
import type { IdempotencyRepository, IdempotencyScope, StoredResponse } from '../repositories/idempotency.repository';
import { ConflictError, UnprocessableError } from '../utils/errors';
import { stableStringify } from '../utils/stable-stringify';

export type { IdempotencyScope, StoredResponse };

export interface IdempotencyServiceDeps {
  readonly store: IdempotencyRepository;
  /** How long a completed response is replayed. */
  readonly ttlSeconds: number;
  /** How long an in-progress claim blocks duplicates if its worker dies without releasing it. */
  readonly leaseSeconds: number;
  readonly now?: () => Date;
}

export type IdempotencyStart = { readonly replay: StoredResponse } | { readonly replay: null };

/** Fingerprint of what the request asks for (validated params, query and body; key order ignored). */
export function requestFingerprint(input: unknown): string {
  return createHash('sha256').update(stableStringify(input)).digest('base64url');
}

export function createIdempotencyService(deps: IdempotencyServiceDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const after = (seconds: number) => new Date(now().getTime() + seconds * 1000);

  return {
    /**
     * Claims the key, or answers from the record already there: the stored response (same request),
     * 422 IDEMPOTENCY_KEY_REUSED (another request), 409 IDEMPOTENCY_IN_PROGRESS (still running).
     */
    async begin(id: IdempotencyScope, requestHash: string): Promise<IdempotencyStart> {
      const at = now();
      const existing = await store.claim(id, requestHash, at, after(deps.leaseSeconds), after(deps.ttlSeconds));
      if (!existing) return { replay: null };
      if (existing.requestHash !== requestHash) {
        throw new UnprocessableError('This Idempotency-Key was used with a different request', 'IDEMPOTENCY_KEY_REUSED');
      }
      if (existing.response) return { replay: existing.response };
      const retryAfter = Math.max(1, Math.ceil((existing.leaseUntil.getTime() - at.getTime()) / 1000));
      throw new ConflictError('A request with this Idempotency-Key is still being processed; retry later', 'IDEMPOTENCY_IN_PROGRESS', {
        headers: { 'Retry-After': String(Math.min(retryAfter, 5)) },
      });
    },

    /** Stores the outcome for replay; a server-side failure (5xx) frees the key so a retry runs again. */
    async finish(id: IdempotencyScope, response: StoredResponse): Promise<void> {
      if (response.status >= 500) await store.release(id);
      else await store.complete(id, response, after(deps.ttlSeconds));
    },

    release: (id: IdempotencyScope): Promise<void> => store.release(id),
  };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
