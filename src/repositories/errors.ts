// Persistence outcomes a service may want to translate; repositories never throw HTTP errors.

/** A unique index refused the write; `fields` names the indexed fields. */
export class DuplicateKeyError extends Error {
  constructor(readonly fields: readonly string[], options?: { cause?: unknown }) {
    super(`duplicate key on ${fields.join(', ')}`, options);
    this.name = 'DuplicateKeyError';
  }
}

export function rethrowDuplicateKey(err: unknown): never {
  const mongoErr = err as { code?: number; keyPattern?: Record<string, unknown> };
  if (mongoErr?.code === 11000) throw new DuplicateKeyError(Object.keys(mongoErr.keyPattern ?? {}), { cause: err });
  throw err;
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}
