// Request context: one request id per request, held in AsyncLocalStorage so anything that runs
// on behalf of the request (logs, Mongoose debug, enqueued jobs) can read it without being passed it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { RequestCancelledError } from './errors';

export interface RequestContext {
  readonly requestId: string;
  /** Aborted when the request's deadline passes: work done for it must stop, nothing may commit. */
  readonly signal?: AbortSignal;
  /** Epoch milliseconds by which the request is answered (the cap for database time limits). */
  readonly deadline?: number;
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

/** Throws REQUEST_TIMEOUT when the current request's deadline has passed. */
export function throwIfCancelled(): void {
  const signal = storage.getStore()?.signal;
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new RequestCancelledError();
}

/**
 * Milliseconds left before the current request's deadline (at least 1), or undefined outside a
 * request with a deadline. Throws REQUEST_TIMEOUT once it has passed.
 */
export function remainingRequestMs(): number | undefined {
  throwIfCancelled();
  const deadline = storage.getStore()?.deadline;
  return deadline === undefined ? undefined : Math.max(1, deadline - Date.now());
}

/** The current request's cancellation signal, if it has a deadline. */
export function currentSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/**
 * Runs `fn` for the same request but without its deadline: for compensation (giving back stock a
 * failed attempt took) that must complete even when the attempt was cancelled.
 */
export function withoutDeadline<T>(fn: () => T): T {
  const requestId = storage.getStore()?.requestId;
  if (requestId === undefined) return fn();
  return storage.run({ requestId }, () => {
    const result = fn();
    // A lazy thenable (a Mongoose Query) runs when `then` is called — by the caller's `await`, in
    // the caller's context, deadline included. Adopt it here so it runs without the deadline.
    return isLazyThenable(result) ? (Promise.resolve(result) as T) : result;
  });
}

function isLazyThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !(value instanceof Promise) && typeof (value as { then?: unknown }).then === 'function';
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
