// Runs several middlewares as one Express layer. Every layer the router walks costs a match, a
// URL parse and a closure per request; the cross-cutting steps that every request takes, and the
// steps of one route, need none of that between them. The contract is the router's own: a sync
// throw or a rejected promise goes to next(err), and next('route') / next('router') leave the chain.
//
// An error from a step whose response was already sent (a handler that ended after the request
// deadline answered 503) stops here: passed on, it would reach Express's final handler, which
// destroys the socket — and with keep-alive, the client's next request on it.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { logger } from '../utils/logger';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export function chain(...handlers: RequestHandler[]): RequestHandler {
  if (handlers.length === 1) return handlers[0]!;
  return function chained(req: Request, res: Response, done: NextFunction) {
    let index = 0;
    const fail = (err: unknown) => {
      if (!res.headersSent) return done(err);
      logger.warn('error after the response was sent', { requestId: req.requestId, method: req.method, path: req.originalUrl, error: err instanceof Error ? err.message : String(err) });
    };
    const step: NextFunction = (signal?: unknown) => {
      // next(null) is "no error" to Express (the cors package calls it for an origin it does not
      // allow): the chain goes on. Leaving it there skipped the rate limit and the body parsers.
      if ((signal !== undefined && signal !== null) || index === handlers.length) return done((signal ?? undefined) as Parameters<NextFunction>[0]);
      const handler = handlers[index++]!;
      try {
        const result: unknown = handler(req, res, step);
        if (isThenable(result)) result.then(undefined, (err: unknown) => fail(err ?? new Error('Rejected promise')));
      } catch (err) {
        fail(err);
      }
    };
    step();
  };
}
