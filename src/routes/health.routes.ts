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
      summary: 'Liveness: the process is up',
      tags: ['Ops'],
      access: 'public',
      responses: {
        200: {
          description: 'The process is alive',
          schema: Joi.object({
            status: Joi.string().valid('ok').required(),
            uptimeSeconds: Joi.number().required(),
            version: Joi.string().required(),
            timestamp: Joi.string().isoDate().required(),
          }),
        },
      },
      handler: controller.live,
    },
    {
      method: 'get',
      path: '/ready',
      mount: 'root',
      summary: 'Readiness: MongoDB and (when configured) Redis answer',
      tags: ['Ops'],
      access: 'public',
      responses: {
        200: {
          description: 'Every dependency answers',
          schema: Joi.object({
            ready: Joi.boolean().required(),
            draining: Joi.boolean().required(),
            checks: Joi.object({ mongodb: check, redis: check }),
          }),
        },
        503: { description: 'A dependency is down or the process is shutting down', code: 'DEPENDENCY_UNAVAILABLE' },
      },
      handler: controller.ready,
    },
  ];
}
