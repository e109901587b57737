// The success envelope: `{ success: true, data, meta? }`, one serialization per response.
import type { Response } from 'express';

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
export function sendSuccess<T>(res: Response, data: T, options: { status?: number; meta?: Record<string, unknown> } = {}): void {
  const body: SuccessBody<T> = options.meta ? { success: true, data, meta: options.meta } : { success: true, data };
  const text = JSON.stringify(body);
  res.statusCode = options.status ?? 200;
  if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendCreated<T>(res: Response, data: T, location?: string): void {
  if (location) res.location(location);
  sendSuccess(res, data, { status: 201 });
}

export function sendNoContent(res: Response): void {
  res.status(204).end();
}
