// The idempotency records (the IdempotencyKey model). Never throws HTTP errors.
import type { IdempotencyKeyModel } from '../models/IdempotencyKey';
import { DuplicateKeyError, rethrowDuplicateKey } from './errors';

export interface IdempotencyScope {
  readonly principal: string;
  readonly scope: string;
  readonly key: string;
}

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly state: 'in_progress' | 'completed';
  readonly leaseUntil: Date;
  readonly response: StoredResponse | null;
}

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;

interface LeanRecord {
  requestHash: string;
  state: 'in_progress' | 'completed';
  leaseUntil: Date;
  responseStatus?: number;
  responseBody?: unknown;
  responseHeaders?: Record<string, string>;
}

function toRecord(doc: LeanRecord): IdempotencyRecord {
  const response = doc.state === 'completed' ? { status: doc.responseStatus ?? 200, body: doc.responseBody ?? null, headers: doc.responseHeaders ?? {} } : null;
  return { requestHash: doc.requestHash, state: doc.state, leaseUntil: doc.leaseUntil, response };
}

export function createIdempotencyRepository(model: IdempotencyKeyModel) {
  // The key comes straight from a request header: coerced to strings so it can never act as an operator.
  const where = (id: IdempotencyScope) => ({ principal: String(id.principal), scope: String(id.scope), key: String(id.key) });

  // The unique index is what serializes duplicates: it must exist before the first claim relies on it.
  let indexes: Promise<unknown> | null = null;
  const ready = () => (indexes ??= model.init());

  return {
    /**
     * Claims the key for a new attempt: inserts an in-progress record, or takes over one that expired
     * (the TTL monitor lags) or whose lease ran out. Returns null when claimed, else the live record.
     */
    async claim(id: IdempotencyScope, requestHash: string, now: Date, leaseUntil: Date, expiresAt: Date): Promise<IdempotencyRecord | null> {
      await ready();
      const fresh = { requestHash, state: 'in_progress' as const, leaseUntil, expiresAt, responseStatus: null, responseBody: null, responseHeaders: null };
      const stale = { $or: [{ expiresAt: { $lte: now } }, { state: 'in_progress' as const, leaseUntil: { $lte: now } }] };
      const taken = await model.updateOne({ ...where(id), ...stale }, { $set: fresh });
      if (taken.modifiedCount === 1) return null;
      try {
        await model.create({ ...where(id), ...fresh }).catch(rethrowDuplicateKey);
        return null;
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
      }
      const doc = await model.findOne(where(id)).lean<LeanRecord>();
      // Gone between the insert and the read (expired and swept): the caller may simply retry.
      return doc ? toRecord(doc) : { requestHash, state: 'in_progress', leaseUntil, response: null };
    },

    async complete(id: IdempotencyScope, response: StoredResponse, expiresAt: Date): Promise<void> {
      await model
        .updateOne(where(id), { $set: { state: 'completed', responseStatus: response.status, responseBody: response.body, responseHeaders: response.headers, expiresAt } })
        ;
    },

    /** Frees the key after a failed attempt so a retry runs the work again. */
    async release(id: IdempotencyScope): Promise<void> {
      await model.deleteOne({ ...where(id), state: 'in_progress' });
    },
  };
}
