// Security middleware: helmet, CORS allow-list, rate limits (Redis-backed when configured),
// body size limits and a per-request timeout. Each piece is a factory taking config.
import cors from 'cors';
import express, { type RequestHandler } from 'express';
import rateLimit, { type Options as RateLimitOptions } from 'express-rate-limit';
import helmet from 'helmet';
import type Redis from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { AppConfig } from '../config';
import { RateLimitError, ServiceUnavailableError } from '../utils/errors';
import { logger } from '../utils/logger';

export function securityHeaders(config: AppConfig): RequestHandler {
  return helmet({
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
  });
}

export function corsPolicy(config: AppConfig): RequestHandler {
  const allowed = new Set(config.cors.origins);
  return cors({
    // A disallowed origin gets no CORS headers at all (the browser then blocks the response).
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-ID'],
    exposedHeaders: ['X-Request-ID', 'ETag', 'Location', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
    maxAge: 600,
  });
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
    handler: (_req, res, next, opts) => {
      const retryAfter = Math.ceil(opts.windowMs / 1000);
      if (!res.getHeader('Retry-After')) res.setHeader('Retry-After', String(retryAfter));
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

export function bodyParsers(config: AppConfig): RequestHandler[] {
  return [
    express.json({ limit: config.http.bodyLimit, strict: true }),
    express.urlencoded({ limit: config.http.bodyLimit, extended: false, parameterLimit: 100 }),
  ];
}

/** Answers 503 REQUEST_TIMEOUT when a handler has not responded in time, instead of hanging the client. */
export function requestTimeout(timeoutMs: number): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      if (!res.headersSent) next(new ServiceUnavailableError('The request took too long to complete', 'REQUEST_TIMEOUT'));
    }, timeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}
