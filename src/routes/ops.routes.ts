// Ops endpoints declared like every other route, so they are validated, counted in
// "Routes mounted" and documented. Swagger UI's static assets are not endpoints: see loaders/docs.ts.
import Joi from 'joi';
import type { AppConfig } from '../config';
import { createOpsController } from '../controllers/ops.controller';
import { metricsAccess } from '../middlewares/metrics.middleware';
import type { MetricsService } from '../services/metrics.service';
import type { OpenApiOptions } from './openapi';
import type { RouteDefinition } from './route-table';

export const OPENAPI_JSON_PATH = '/docs/openapi.json';

export function openApiOptions(config: AppConfig): OpenApiOptions {
  return {
    title: 'commerce-api',
    version: config.version,
    description:
      'Accounts, Products and Orders. Every success is `{ success: true, data, meta? }`; every error follows the ' +
      '`ErrorResponse` contract and carries the `X-Request-ID` of the request.',
    servers: [
      // Relative first: "Try it out" then calls the origin the docs were loaded from, which the CSP allows.
      { url: '/', description: 'The server that serves this document' },
      { url: config.http.publicUrl, description: 'PUBLIC_URL' },
    ],
  };
}

export interface OpsRouteDeps {
  readonly config: AppConfig;
  readonly metrics: MetricsService;
  /** Built lazily, once, from the complete route list (which includes these routes). */
  readonly openApiDocument: () => unknown;
}

export function opsRoutes(deps: OpsRouteDeps): RouteDefinition[] {
  const controller = createOpsController(deps);
  const routes: RouteDefinition[] = [];
  if (deps.config.docs.enabled) {
    routes.push({
      method: 'get',
      path: OPENAPI_JSON_PATH,
      mount: 'root',
      summary: 'This OpenAPI 3.1 document (Swagger UI at /docs)',
      tags: ['Ops'],
      access: 'public',
      responses: { 200: { description: 'The OpenAPI document', raw: true, schema: Joi.object({ openapi: Joi.string().required() }).unknown(true) } },
      handler: controller.openApi,
    });
  }
  if (deps.config.metrics.enabled) {
    routes.push({
      method: 'get',
      path: '/metrics',
      mount: 'root',
      summary: 'Prometheus metrics',
      description: 'Reachable from loopback (when not proxied), from METRICS_ALLOW_CIDRS, or with the METRICS_TOKEN bearer token.',
      tags: ['Ops'],
      access: 'public',
      security: ['metricsToken'],
      before: [metricsAccess({ allowNetworks: deps.config.metrics.allowNetworks, token: deps.config.metrics.token })],
      responses: {
        200: {
          description: 'Metrics in the Prometheus text exposition format',
          contentType: 'text/plain; version=0.0.4; charset=utf-8',
          example: 'http_requests_in_flight{service="commerce-api"} 1\n',
        },
      },
      errors: [401],
      handler: controller.metrics,
    });
  }
  return routes;
}
