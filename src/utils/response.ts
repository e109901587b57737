// The success envelope: `{ success: true, data, meta? }`, one serialization per response.
// Also the one guard against writing a response twice: a handler that finishes after the request
// deadline already answered 503 must not touch the response (Express would throw
// ERR_HTTP_HEADERS_SENT and destroy the keep-alive socket under the client's next request).
import type { Response } from 'express';
import { logger } from './logger';

export interface SuccessBody<T> {
  success: true;
  data: T;
  meta?: Record<string, unknown>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Serializes once and writes the bytes. Express's res.json() would also re-check the body type,
 * look up its settings and evaluate request freshness on every response; resources that answer
 * conditionally set their own ETag and answer 304 before they get here.
 */
/** True (and logged) when the response was already answered; the caller then writes nothing. */
export function alreadyAnswered(res: Response, what: string): boolean {
  if (!res.headersSent) return false;
  logger.warn('late response dropped: the request was already answered', { what, status: res.statusCode, requestId: res.getHeader('X-Request-ID') });
  return true;
}

/**
 * For a response answered on the handler's behalf (the request deadline's 503) while the handler
 * still runs: once it is sent, headers the handler sets late (ETag, Location, …) are dropped and
 * logged instead of throwing ERR_HTTP_HEADERS_SENT into the error path.
 */
export function sealWhenSent(res: Response): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = ((name: string, value: number | string | readonly string[]) => {
    if (!res.headersSent) return setHeader(name, value);
    alreadyAnswered(res, `header ${name}`);
    return res;
  }) as Response['setHeader'];
}

/** The success envelope as JSON text, for callers that need the bytes before sending them (validators). */
export function successText<T>(data: T, meta?: Record<string, unknown>): string {
  const body: SuccessBody<T> = meta ? { success: true, data, meta } : { success: true, data };
  return JSON.stringify(body);
}

export function sendSuccess<T>(res: Response, data: T, options: { status?: number; meta?: Record<string, unknown> } = {}): void {
  if (alreadyAnswered(res, 'success')) return;
  sendSuccessText(res, successText(data, options.meta), options.status);
}

/** Writes an envelope already serialized by `successText`. */
export function sendSuccessText(res: Response, text: string, status = 200): void {
  if (alreadyAnswered(res, 'success')) return;
  res.statusCode = status;
  if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendCreated<T>(res: Response, data: T, location?: string): void {
  if (alreadyAnswered(res, 'created')) return;
  if (location) res.location(location);
  sendSuccess(res, data, { status: 201 });
}

export function sendNoContent(res: Response): void {
  if (alreadyAnswered(res, 'no content')) return;
  res.status(204).end();
}
