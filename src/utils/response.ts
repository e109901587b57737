// The success envelope: `{ success: true, data, meta? }`, one serialization per response.
import type { Response } from 'express';

export interface SuccessBody<T> {
  success: true;
  data: T;
  meta?: Record<string, unknown>;
}

export function sendSuccess<T>(res: Response, data: T, options: { status?: number; meta?: Record<string, unknown> } = {}): void {
  const body: SuccessBody<T> = options.meta ? { success: true, data, meta: options.meta } : { success: true, data };
  res.status(options.status ?? 200).json(body);
}

export function sendCreated<T>(res: Response, data: T, location?: string): void {
  if (location) res.location(location);
  sendSuccess(res, data, { status: 201 });
}

export function sendNoContent(res: Response): void {
  res.status(204).end();
}
