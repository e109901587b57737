import Joi from 'joi';
import { createHealthController } from '../controllers/health.controller';
import type { HealthService } from '../services/health.service';
import type { RouteDefinition } from './route-table';

const check = Joi.object({
  status: Joi.string().valid('up', 'down', 'disabled').required(),
  latencyMs: Joi.number(),
  error: Joi.string(),
});

export function healthRoutes(health: HealthService): RouteDefinition[] {
  const controller = createHealthController(health);
  return [
    {
      method: 'get',
      path: '/health',
      mount: 'root',
      summary: 'Liveness: the process is up (status `degraded` when a dependency connection is down)',
      tags: ['Ops'],
      access: 'public',
      responses: {
        200: {
          description: 'The process is alive',
          schema: Joi.object({
            status: Joi.string().valid('ok', 'degraded').required(),
            uptimeSeconds: Joi.number().required(),
            version: Joi.string().required(),
            timestamp: Joi.string().isoDate().required(),
            dependencies: Joi.object({ mongodb: Joi.string().valid('up', 'down').required(), redis: Joi.string().valid('up', 'down', 'disabled').required() }).required(),
          }),
        },
      },
      handler: controller.live,
    },
    {
      method: 'get',
      path: '/ready',
      mount: 'root',
      summary: 'Readiness: this instance can serve (MongoDB answers, not draining); a Redis outage only degrades it',
      tags: ['Ops'],
      access: 'public',
      responses: {
        200: {
          description: 'The instance can serve; `degraded` lists optional dependencies that are down',
          schema: Joi.object({
            ready: Joi.boolean().required(),
            draining: Joi.boolean().required(),
            degraded: Joi.array().items(Joi.string()).required(),
            checks: Joi.object({ mongodb: check, redis: check }),
          }),
        },
        503: { description: 'MongoDB is unreachable or the process is shutting down', code: 'DEPENDENCY_UNAVAILABLE' },
      },
      handler: controller.ready,
    },
  ];
}
