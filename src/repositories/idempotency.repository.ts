// Stored responses for Idempotency-Key retries (the IdempotencyKey model). Never throws HTTP errors.
import type { IdempotencyKeyModel } from '../models/IdempotencyKey';

export interface StoredResponse {
  requestHash: string;
  responseStatus: number;
  responseBody: unknown;
  expiresAt: Date;
}

export interface SaveResponseInput extends StoredResponse {
  account: string;
  scope: string;
  key: string;
}

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;

export function createIdempotencyRepository(model: IdempotencyKeyModel) {
  return {
    /** The live (unexpired) entry, or null; the TTL monitor may lag, so expiry is checked here too. */
    async find(account: string, scope: string, key: string, now: Date): Promise<StoredResponse | null> {
      const doc = await model.findOne({ account, scope, key, expiresAt: { $gt: now } }).lean();
      return doc ? (doc as unknown as StoredResponse) : null;
    },

    /** First writer wins: a concurrent duplicate that already stored its response is kept as is. */
    async save(input: SaveResponseInput): Promise<void> {
      try {
        await model.create(input);
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    },
  };
}
