// Operational endpoints that are not business resources: the OpenAPI document and Prometheus metrics.
import type { Request, Response } from 'express';
import type { MetricsService } from '../services/metrics.service';

export function createOpsController(deps: { metrics: MetricsService; openApiDocument: () => unknown }) {
  return {
    openApi(_req: Request, res: Response) {
      res.setHeader('Cache-Control', 'no-cache');
      res.json(deps.openApiDocument());
    },
    async metrics(_req: Request, res: Response) {
      const body = await deps.metrics.render();
      res.setHeader('Cache-Control', 'no-store');
      res.type(deps.metrics.contentType).send(body);
    },
  };
}
