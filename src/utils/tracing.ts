// Request context: one request id per request, held in AsyncLocalStorage so anything that runs
// on behalf of the request (logs, Mongoose debug, enqueued jobs) can read it without being passed it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface RequestContext {
  readonly requestId: string;
}

export const REQUEST_ID_HEADER = 'X-Request-ID';
// Accept a caller's id only when it is short and plain, so it cannot inject into logs or headers.
const WELL_FORMED_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

const storage = new AsyncLocalStorage<RequestContext>();

export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED_ID.test(value);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs `fn` inside a context, e.g. a worker job carrying the id of the request that enqueued it. */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.get(REQUEST_ID_HEADER);
  const requestId = isWellFormedRequestId(incoming) ? incoming : randomUUID();
  req.requestId = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  storage.run({ requestId }, next);
}
