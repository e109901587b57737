// One observation per request, taken when its response closes: the access-log record and, when
// metrics are on, the in-flight gauge and the duration histogram. One clock read at each end and
// one listener per request serve both, instead of a middleware, a timer read and a listener each.
import type { Request, RequestHandler } from 'express';
import type { MetricsService } from '../services/metrics.service';
import { logger } from '../utils/logger';

/** Requests that matched no route are labelled `unmatched` — never by their raw path. */
const UNMATCHED = 'unmatched';

/** Liveness/readiness probes and metric scrapes: polled every few seconds by machines. */
const PROBE_PATHS = new Set(['/health', '/ready', '/metrics']);

export function isProbe(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && PROBE_PATHS.has(req.path);
}

export function observeRequests(metrics?: MetricsService): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    metrics?.requestStarted();
    // 'close' fires once for every response, finished or aborted, so in-flight never drifts;
    // it runs outside the request's async context, so the id is passed explicitly.
    res.once('close', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const route = res.locals.routeTemplate as string | undefined;
      metrics?.requestFinished(req.method, route ?? UNMATCHED, res.statusCode, durationMs / 1000);
      // A successful poll every few seconds per instance would drown the access log; it is still
      // counted in the metrics, and a failing probe is logged like any other request.
      const level = isProbe(req) && res.statusCode < 400 ? 'debug' : 'info';
      logger.log(level, res.writableFinished ? 'request completed' : 'request aborted', {
        requestId: req.requestId,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        route,
        status: res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
        ip: req.ip,
      });
    });
    next();
  };
}
