// Security middleware: helmet, CORS allow-list, rate limits (Redis-backed when configured),
// body size limits and a per-request timeout. Each piece is a factory taking config.
import cors from 'cors';
import express, { type Request, type RequestHandler } from 'express';
import rateLimit, { ipKeyGenerator, type Options as RateLimitOptions } from 'express-rate-limit';
import helmet from 'helmet';
import type Redis from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { AppConfig } from '../config';
import { RateLimitError, RequestCancelledError } from '../utils/errors';
import { logger } from '../utils/logger';
import { sealWhenSent } from '../utils/response';
import { runWithContext } from '../utils/tracing';

export function securityHeaders(config: AppConfig): RequestHandler {
  return precomputed(helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        // Swagger UI (served from our own origin under /docs) needs inline styles only.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: config.isProduction ? [] : null,
      },
    },
    strictTransportSecurity: config.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    frameguard: { action: 'deny' },
    noSniff: true,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  }));
}

/**
 * Helmet's headers depend only on its options (no nonces, nothing read from the request), so they
 * are computed once by running helmet against a recording response, and each request gets them in
 * one step instead of a dozen middleware hops.
 */
function precomputed(middleware: RequestHandler): RequestHandler {
  const headers: [string, string | number | readonly string[]][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.push([name, value]),
    removeHeader: (name: string) => removed.push(name),
  };
  let completed = false;
  void middleware({} as never, recorder as never, ((err?: unknown) => {
    if (err) throw err;
    completed = true;
  }) as never);
  if (!completed) throw new Error('security headers middleware did not complete synchronously');
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

export function corsPolicy(config: AppConfig): RequestHandler {
  const allowed = new Set(config.cors.origins);
  const policy = cors({
    // A disallowed origin gets no CORS headers at all (the browser then blocks the response).
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-ID'],
    exposedHeaders: ['X-Request-ID', 'ETag', 'Location', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'Idempotent-Replayed'],
    maxAge: 600,
  });
  return (req, res, next) => {
    // Without an Origin header the request is not cross-origin and gets no CORS headers; the answer
    // still varies by Origin for shared caches. Most traffic takes this path without the cors machinery.
    if (req.headers.origin === undefined) {
      res.setHeader('Vary', 'Origin');
      return next();
    }
    policy(req, res, next);
  };
}

// express-rate-limit reports store failures on the console; send them to our logger instead, as
// structured warnings (while Redis is down each request logs one: the outage must be visible).
const limiterLog = {
  error: (error: unknown, message?: string) => logger.warn(message ?? 'rate limiter store failed', { error: error instanceof Error ? error.message : String(error) }),
  warn: (error: unknown, message?: string) => logger.warn(message ?? 'rate limiter warning', { error: error instanceof Error ? error.message : String(error) }),
};

export interface RateLimitSettings {
  readonly name: string;
  readonly windowMs: number;
  readonly max: number;
  readonly message: string;
  /**
   * The account a request acts for, when it can be told cheaply (a valid bearer token): such
   * requests are counted per account, so one customer's burst does not refuse everyone behind the
   * same NAT or proxy. Anonymous requests (and bad tokens) are counted per client IP.
   */
  readonly accountOf?: (req: Request) => string | undefined;
  /** Requests that are never counted (liveness/readiness probes, metric scrapes). */
  readonly skip?: (req: Request) => boolean;
}

/** The limiter's counter key: per account when the caller is known, else per IP (IPv6 per /56). */
export function rateLimitKey(req: Request, accountOf?: (req: Request) => string | undefined): string {
  const account = accountOf?.(req);
  return account ? `account:${account}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
}

/**
 * A rate limiter whose counters live in Redis when it is configured, so the limit holds across
 * PM2 cluster workers. If Redis fails mid-flight the limiter fails open (passOnStoreError):
 * losing rate limiting briefly is better than refusing every request.
 */
export function createRateLimiter(settings: RateLimitSettings, redis: Redis | null, keyPrefix: string): RequestHandler {
  const options: Partial<RateLimitOptions> = {
    windowMs: settings.windowMs,
    limit: settings.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    passOnStoreError: true,
    logger: limiterLog,
    keyGenerator: (req) => rateLimitKey(req, settings.accountOf),
    ...(settings.skip ? { skip: settings.skip } : {}),
    handler: (_req, res, next, opts) => {
      // The library has set Retry-After from the counter's real reset time, the same number as the
      // RateLimit header's reset; the error carries that value rather than the full window.
      const fromLibrary = Number(res.getHeader('Retry-After'));
      const retryAfter = Number.isFinite(fromLibrary) && fromLibrary > 0 ? fromLibrary : Math.ceil(opts.windowMs / 1000);
      next(new RateLimitError(settings.message, retryAfter));
    },
  };
  if (redis) {
    options.store = new RedisStore({
      prefix: `${keyPrefix}rl:${settings.name}:`,
      sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
    });
  }
  return rateLimit(options);
}

/**
 * JSON and form bodies within the size limit, except on `rawPaths` (normalised full paths). A request without a body (no Content-Length, no
 * Transfer-Encoding: most GETs) skips both parsers; req.body stays undefined, as the parsers leave it.
 */
export function bodyParsers(config: AppConfig, rawPaths: ReadonlySet<string> = new Set()): RequestHandler {
  const json = express.json({ limit: config.http.bodyLimit, strict: true });
  const form = express.urlencoded({ limit: config.http.bodyLimit, extended: false, parameterLimit: 100 });
  return (req, res, next) => {
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return next();
    // Signed bodies (webhooks) must reach their route byte for byte: their own raw parser reads them.
    if (rawPaths.size && rawPaths.has(req.path.toLowerCase().replace(/\/+$/, ''))) return next();
    json(req, res, (err?: unknown) => (err ? next(err) : form(req, res, next)));
  };
}

/**
 * The request deadline: answers 503 REQUEST_TIMEOUT when a handler has not responded in time, and
 * cancels the handler's work. The AbortSignal and deadline ride on the request context, so every
 * query below gets `maxTimeMS` capped by the time left and fails once it has passed, and a
 * transaction stops retrying and aborts: nothing commits after the client was told it failed.
 */
export function requestTimeout(timeoutMs: number): RequestHandler {
  return (req, res, next) => {
    // A client that has already gone needs no timer: its 'close' has fired and would never clear it.
    if (req.socket.destroyed) return next();
    const cancel = new AbortController();
    const deadline = Date.now() + timeoutMs;
    const timer = setTimeout(() => {
      const timedOut = new RequestCancelledError();
      cancel.abort(timedOut);
      if (res.headersSent || req.socket.destroyed) return;
      sealWhenSent(res);
      next(timedOut);
    }, timeoutMs);
    timer.unref();
    // 'close' follows 'finish' on every response, and is the only event when the client aborts.
    res.once('close', () => clearTimeout(timer));
    runWithContext({ requestId: req.requestId, signal: cancel.signal, deadline }, next);
  };
}
