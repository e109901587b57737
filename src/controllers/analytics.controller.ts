import type { Response } from 'express';
import type { AnalyticsService, RangeQuery, SalesQuery } from '../services/analytics/analytics.service';
import { sendSuccess } from '../utils/response';
import type { TypedRequest } from '../utils/typed-request';

export function createAnalyticsController(analytics: AnalyticsService) {
  return {
    async sales(req: TypedRequest<{ query: SalesQuery }>, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      sendSuccess(res, await analytics.sales(req.validated.query));
    },
    async topProducts(req: TypedRequest<{ query: RangeQuery }>, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      sendSuccess(res, await analytics.topProducts(req.validated.query));
    },
    async topCategories(req: TypedRequest<{ query: RangeQuery }>, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      sendSuccess(res, await analytics.topCategories(req.validated.query));
    },
    async lowStock(req: TypedRequest<{ query: { threshold: number; limit: number } }>, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      sendSuccess(res, await analytics.lowStock(req.validated.query));
    },
  };
}
