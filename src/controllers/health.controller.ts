import type { Request, Response } from 'express';
import type { HealthService } from '../services/health.service';
import { ServiceUnavailableError } from '../utils/errors';
import { sendSuccess } from '../utils/response';

export function createHealthController(health: HealthService) {
  return {
    live(_req: Request, res: Response) {
      sendSuccess(res, health.liveness());
    },
    async ready(_req: Request, res: Response) {
      const readiness = await health.readiness();
      res.setHeader('Cache-Control', 'no-store');
      if (!readiness.ready) {
        const reason = readiness.draining ? 'shutting down' : 'unavailable: mongodb';
        throw new ServiceUnavailableError(`Service not ready (${reason})`, readiness.draining ? 'SHUTTING_DOWN' : 'DEPENDENCY_UNAVAILABLE', {
          details: Object.entries(readiness.checks).map(([name, check]) => ({ path: name, ...check })),
        });
      }
      sendSuccess(res, readiness);
    },
  };
}
