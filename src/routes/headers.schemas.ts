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

/** Optimistic concurrency: the ETag the client read (parsed by `expectedVersion`). */
export const ifMatch = Joi.string().max(200).description('The ETag you read; the write fails with 409 if the resource changed since');

export const idempotencyHeaders = Joi.object<IdempotencyHeaders>({ 'idempotency-key': idempotencyKey });
export const ifMatchHeaders = Joi.object<IfMatchHeaders>({ 'if-match': ifMatch });
