// Builds the Express app in a fixed order. Importable without listening or connecting:
// tests drive it with supertest.
import express, { type Express } from 'express';
import { DASHBOARD_PATH, queueDashboard } from '../jobs/dashboard';
import { bearerAccount } from '../middlewares/auth.middleware';
import { createErrorHandler, notFoundHandler } from '../middlewares/error.middleware';
import { chain } from '../middlewares/chain';
import { methodNotAllowed } from '../middlewares/method-not-allowed';
import { isProbe, observeRequests } from '../middlewares/request-observer';
import { bodyParsers, corsPolicy, createRateLimiter, requestTimeout, securityHeaders } from '../middlewares/security';
import { collectRoutes } from '../routes';
import { API_PREFIX, buildRouters, countEndpoints, fullPath, rawBodyPaths, type RouteDefinition } from '../routes/route-table';
import { requestContext } from '../utils/tracing';
import type { Container } from './container';
import { swaggerUiRouter } from './docs';
import { adminDashboardRouter } from './admin-dashboard';

export interface BuiltApp {
  readonly app: Express;
  readonly routes: readonly RouteDefinition[];
  /** Endpoints counted from the mounted routers (not from the declarations). */
  readonly endpointCount: number;
}

export function buildApp(container: Container): BuiltApp {
  const { config, redis } = container;
  const app = express();

  // 1. proxy trust decides req.ip, which rate limiting keys on.
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  app.set('etag', false); // resources set their own ETags; no hashing of every body.
  app.set('query parser', 'simple');
  const routes = collectRoutes(container);

  // Every request takes these steps in this order; they run as one router layer (see chain.ts).
  app.use(
    chain(
      // 2. request id + async context, 3. access log and request metrics
      requestContext,
      observeRequests(config.metrics.enabled ? container.metrics : undefined),
      // 4. the request deadline, before anything that waits (the rate limiter's Redis call included)
      requestTimeout(config.http.requestTimeoutMs),
      // 5. security: headers, CORS, global rate limit
      securityHeaders(config),
      corsPolicy(config),
      createRateLimiter(
        {
          name: 'global',
          windowMs: config.rateLimit.windowMs,
          max: config.rateLimit.max,
          message: 'Too many requests, please slow down',
          accountOf: bearerAccount(container.tokens),
          // A probe or scrape refused with 429 takes a healthy instance out of rotation.
          skip: isProbe,
        },
        redis,
        config.redis.keyPrefix,
      ),
      // 6. parsers with size limits (routes that verify a signature over the raw body read their own)
      bodyParsers(config, rawBodyPaths(routes)),
    ),
  );

  // 7. routes (and the admin-only queue dashboard when enabled)
  if (container.dashboard) app.use(DASHBOARD_PATH, ...queueDashboard(config, container.dashboard.tickets, container.dashboard.queues));
  // The top-level routes (health, metrics, media) go on the app's router itself; the API under its prefix.
  const { api } = buildRouters(routes, container.auth, { idempotency: container.idempotency }, app.router);
  app.use(API_PREFIX, api);
  // A declared path asked with an undeclared method: 405 + Allow (before Swagger UI's catch-all prefix).
  app.use(methodNotAllowed(routes.map((route) => ({ method: route.method, path: fullPath(route) }))));
  // Swagger UI's assets are not API endpoints, so they are mounted outside the route table.
  if (config.docs.enabled) app.use(swaggerUiRouter());
  // The admin dashboard's static page (its data comes from the declared analytics endpoints).
  app.use(adminDashboardRouter());

  // 8. unknown routes, 9. the one error handler
  app.use(notFoundHandler);
  app.use(
    createErrorHandler({
      exposeInternals: !config.isProduction && config.env !== 'test',
      onError: config.metrics.enabled ? container.metrics.recordError : undefined,
    }),
  );

  return { app, routes, endpointCount: countEndpoints(app.router) };
}

export function createApp(container: Container): Express {
  return buildApp(container).app;
}
