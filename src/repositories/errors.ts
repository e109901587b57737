// Persistence outcomes a service may want to translate; repositories never throw HTTP errors.

/**
 * A unique index refused the write. Every repository translates MongoDB's 11000 into this one type
 * (with `rethrowDuplicateKey`); services map it to a 409 with a code of their own.
 */
export class DuplicateKeyError extends Error {
  /** The indexed fields, e.g. `['sku']` or `['principal', 'scope', 'key']`. */
  readonly fields: readonly string[];

  constructor(readonly keyPattern: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    const fields = Object.keys(keyPattern);
    super(`duplicate key on ${fields.join(', ')}`, options);
    this.name = 'DuplicateKeyError';
    this.fields = fields;
  }
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

export function rethrowDuplicateKey(err: unknown): never {
  if (isDuplicateKey(err)) {
    const mongoErr = err as { keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown> };
    throw new DuplicateKeyError(mongoErr.keyPattern ?? mongoErr.keyValue ?? {}, { cause: err });
  }
  throw err;
}
