// The HTTP side of a route's declared `idempotency` capability: claims the Idempotency-Key before
// the handler runs, replays a stored answer, and stores the handler's answer (or frees the key when
// the attempt failed on our side) before it is sent.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestFingerprint, type IdempotencyScope, type IdempotencyService } from '../services/idempotency.service';
import { PreconditionRequiredError } from '../utils/errors';
import { logger } from '../utils/logger';

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
      for (const [name, value] of Object.entries(start.replay.headers)) res.setHeader(name, value);
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(start.replay.status).json(start.replay.body);
      return;
    }

    let settled = false;
    const send = res.json.bind(res);
    // The outcome is stored before it is sent, so a retry that follows the answer finds it.
    res.json = (payload: unknown) => {
      if (settled) return send(payload);
      settled = true;
      service
        .finish(id, { status: res.statusCode, body: payload, headers: outcomeHeaders(res) })
        .catch((err: Error) => logger.error('idempotent outcome not stored', { scope, error: err.message }))
        .finally(() => {
          if (!res.headersSent) send(payload);
        });
      return res;
    };
    // Closed without a JSON answer (client gone, stream error): free the key for a retry.
    res.once('close', () => {
      if (settled) return;
      settled = true;
      service.release(id).catch((err: Error) => logger.error('idempotency key not released', { scope, error: err.message }));
    });
    next();
  };
}
