// The one place that turns any failure into the error contract:
// { success: false, message, code, timestamp, path, requestId, details? }.
import { DuplicateKeyError } from '../repositories/errors';
import type { NextFunction, Request, Response } from 'express';
import mongoose from 'mongoose';
import { AppError, NotFoundError, type ErrorDetail } from '../utils/errors';
import { logger } from '../utils/logger';
import { currentRequestId } from '../utils/tracing';

export interface ErrorBody {
  success: false;
  message: string;
  code: string;
  timestamp: string;
  path: string;
  requestId: string;
  details?: readonly unknown[];
}

interface Rendered {
  status: number;
  code: string;
  message: string;
  details?: readonly unknown[];
  headers?: Readonly<Record<string, string>>;
  operational: boolean;
}

const MONGO_UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

const MAX_TIME_MS_EXPIRED = 50;

function isMongoUnavailable(err: Error): boolean {
  if (MONGO_UNAVAILABLE.has(err.name)) return true;
  // Mongoose wraps a lost connection in a buffering timeout when commands are buffered.
  return err.name === 'MongooseError' && /buffering timed out|before initial connection/i.test(err.message);
}

function fromMongooseValidation(err: mongoose.Error.ValidationError): ErrorDetail[] {
  return Object.values(err.errors).map((e) => ({
    location: 'body',
    path: e.path,
    message: e.kind === 'user defined' || e.name === 'ValidatorError' ? e.message : `${e.path} is invalid`,
    type: e.kind,
  }));
}

interface HttpishError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** Maps any thrown value to status/code/message; unknown errors become an opaque 500. */
export function renderError(err: unknown, exposeInternals: boolean): Rendered {
  if (err instanceof AppError) {
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      details: err.details,
      headers: err.headers,
      operational: err.isOperational,
    };
  }
  if (err instanceof mongoose.Error.CastError) {
    return {
      status: 400,
      code: 'INVALID_ID',
      message: `Invalid value for ${err.path}`,
      details: [{ path: err.path, message: `${err.path} must be a valid ${err.kind}`, type: 'cast' }],
      operational: true,
    };
  }
  if (err instanceof mongoose.Error.ValidationError) {
    return { status: 400, code: 'VALIDATION_FAILED', message: 'Validation failed', details: fromMongooseValidation(err), operational: true };
  }
  // Repositories turn 11000 into DuplicateKeyError and services map it to their own 409; one that
  // reaches here unmapped still answers 409 naming the fields only (never the index or collection).
  if (err instanceof DuplicateKeyError) {
    const { fields } = err;
    return {
      status: 409,
      code: 'DUPLICATE_KEY',
      message: fields.length ? `A record with this ${fields.join(', ')} already exists` : 'A record with these values already exists',
      details: fields.map((field) => ({ path: field, message: `${field} must be unique`, type: 'unique' })),
      operational: true,
    };
  }
  // ioredis gives up on a slow or unreachable Redis with these messages: a dependency outage (503), not a bug.
  if (err instanceof Error && /^(Command timed out|Connection is closed\.?|Stream isn't writeable)/.test(err.message)) {
    return { status: 503, code: 'DEPENDENCY_UNAVAILABLE', message: 'A dependency is temporarily unavailable', operational: false };
  }
  if (err instanceof Error && (err as { code?: unknown }).code === MAX_TIME_MS_EXPIRED) {
    // The request deadline capped this query's maxTimeMS (see models/deadline.plugin.ts).
    return { status: 503, code: 'REQUEST_TIMEOUT', message: 'The request took too long to complete', operational: true };
  }
  if (err instanceof Error && isMongoUnavailable(err)) {
    return { status: 503, code: 'DATABASE_UNAVAILABLE', message: 'The database is temporarily unavailable', operational: false };
  }
  const httpish = err as HttpishError;
  const status = httpish?.status ?? httpish?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // body-parser, raw-body and similar set status + type.
    switch (httpish.type) {
      case 'entity.parse.failed':
        return { status: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON', operational: true };
      case 'entity.too.large':
        return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large', operational: true };
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return { status: 415, code: 'UNSUPPORTED_ENCODING', message: 'Unsupported request encoding', operational: true };
      default:
        return {
          status,
          code: 'BAD_REQUEST',
          message: httpish.expose && httpish.message ? httpish.message : 'Bad request',
          operational: true,
        };
    }
  }
  return {
    status: 500,
    code: 'INTERNAL_ERROR',
    message: exposeInternals && err instanceof Error ? err.message : 'An unexpected error occurred',
    operational: false,
  };
}

export function buildErrorBody(req: Request, rendered: Pick<Rendered, 'code' | 'message' | 'details'>): ErrorBody {
  const body: ErrorBody = {
    success: false,
    message: rendered.message,
    code: rendered.code,
    timestamp: new Date().toISOString(),
    path: req.originalUrl.split('?')[0] ?? req.originalUrl,
    requestId: req.requestId ?? currentRequestId() ?? 'unknown',
  };
  if (rendered.details && rendered.details.length) body.details = rendered.details;
  return body;
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError(`Route ${req.method} ${req.path} not found`, 'ROUTE_NOT_FOUND'));
}

export interface ErrorHandlerOptions {
  readonly exposeInternals: boolean;
  /** Told about every rendered error (e.g. the metrics error counter); must be cheap and never throw. */
  readonly onError?: (code: string, status: number) => void;
}

export function createErrorHandler(options: ErrorHandlerOptions) {
  // Express recognises error handlers by arity, so all four parameters stay.
  return function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
    const rendered = renderError(err, options.exposeInternals);
    if (res.headersSent) {
      // Work that ended after its answer (typically cancelled by the deadline that answered 503).
      // A complete response leaves the keep-alive socket alone: it may already carry the client's
      // next request. Only a half-written body forces the socket closed.
      logger.warn('error after the response was sent', { code: rendered.code, method: req.method, path: req.originalUrl, requestId: req.requestId, error: err instanceof Error ? err.message : undefined });
      if (!res.writableEnded) res.destroy();
      return;
    }
    options.onError?.(rendered.code, rendered.status);
    const logMeta = { code: rendered.code, status: rendered.status, method: req.method, path: req.originalUrl };
    if (rendered.operational) logger.warn(rendered.message, logMeta);
    else logger.error(err instanceof Error ? err.message : 'non-error thrown', { ...logMeta, stack: (err as Error)?.stack });

    for (const [name, value] of Object.entries(rendered.headers ?? {})) res.setHeader(name, value);
    res.status(rendered.status).json(buildErrorBody(req, rendered));
  };
}
