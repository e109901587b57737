// Request headers with a contract, declared once: the route declares them, validate() keeps the
// parsed values on `req.validated.headers`, and nothing reads them raw.
import Joi from 'joi';
import type { IdempotencyHeaders, IfMatchHeaders } from '../utils/typed-request';

const KEY_RULE = 'Idempotency-Key must be 8–255 visible ASCII characters (a UUID is ideal)';

export const idempotencyKey = Joi.string()
  .trim()
  .min(8)
  .max(255)
  .pattern(/^[\x21-\x7e]+$/)
  .messages({ 'string.pattern.base': KEY_RULE, 'string.min': KEY_RULE })
  .description('Makes retries safe: the same key and body replay the first response');

/**
 * Optimistic concurrency: the ETag the client read (parsed by `expectedVersion`). Documented as
 * required because without it (or the older `version` body field) the answer is 428; validation
 * itself accepts either.
 */
export const ifMatch = Joi.string()
  .max(200)
  .description('ETag of the version you read, `"<id>-v<version>"` (or send `version` in the body instead); neither → 428; a changed resource → 409')
  .meta({ documentedRequired: true, openapi: { pattern: '^"[0-9a-f]{24}-v[0-9]+"$' } });

export const idempotencyHeaders = Joi.object<IdempotencyHeaders>({ 'idempotency-key': idempotencyKey });
export const ifMatchHeaders = Joi.object<IfMatchHeaders>({ 'if-match': ifMatch });
