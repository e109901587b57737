// The HTTP side of a route's declared `idempotency` capability: claims the Idempotency-Key before
// the handler runs, replays a stored answer, and stores the handler's answer (or frees the key when
// the attempt failed on our side) before it is sent.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestFingerprint, type IdempotencyScope, type IdempotencyService, type StoredResponse } from '../services/idempotency.service';
import { PreconditionRequiredError } from '../utils/errors';
import { logger } from '../utils/logger';
import { withoutDeadline } from '../utils/tracing';

export type IdempotencyMode = 'required' | 'optional';

/** Response headers that belong to the outcome and are replayed with it. */
const REPLAYED_HEADERS = ['location', 'etag'] as const;

function outcomeHeaders(res: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return headers;
}

/** The JSON body as written (a string or buffer), or null when there is none. */
function bodyOf(chunk: unknown): unknown {
  const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function replay(res: Response, stored: StoredResponse): void {
  for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
  res.setHeader('Idempotent-Replayed', 'true');
  res.statusCode = stored.status;
  if (stored.body === null) {
    res.end();
    return;
  }
  const text = typeof stored.body === 'string' ? stored.body : JSON.stringify(stored.body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function idempotent(mode: IdempotencyMode, scope: string, service: IdempotencyService): RequestHandler {
  return async function idempotency(req: Request, res: Response, next: NextFunction) {
    const key = req.validated.headers['idempotency-key'] as string | undefined;
    if (!key) {
      if (mode === 'required') throw new PreconditionRequiredError('Send an Idempotency-Key header (a UUID) with this request', 'IDEMPOTENCY_KEY_REQUIRED');
      return next();
    }
    const id: IdempotencyScope = { principal: req.auth?.id ?? 'anonymous', scope, key };
    const { params, query, body } = req.validated;
    const start = await service.begin(id, requestFingerprint({ params, query, body }));
    if (start.replay) {
      replay(res, start.replay);
      return;
    }

    let settled = false;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    // Responses are written with res.end (utils/response, the error handler): the outcome is taken
    // there and stored before it is sent, so a retry that follows the answer finds it.
    res.end = ((...args: unknown[]) => {
      if (settled) return end(...args);
      settled = true;
      // Outside the request deadline: the 503 REQUEST_TIMEOUT itself must still free the key.
      withoutDeadline(() => service.finish(id, { status: res.statusCode, body: bodyOf(args[0]), headers: outcomeHeaders(res) }))
        .catch((err: Error) => logger.error('idempotent outcome not stored', { scope, error: err.message }))
        .finally(() => end(...args));
      return res;
    }) as Response['end'];
    // Closed without an answer (client gone, stream error): free the key for a retry.
    res.once('close', () => {
      if (settled) return;
      settled = true;
      withoutDeadline(() => service.release(id)).catch((err: Error) => logger.error('idempotency key not released', { scope, error: err.message }));
    });
    next();
  };
}
