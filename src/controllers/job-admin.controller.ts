import type { Request, Response } from 'express';
import type { JobAdminService } from '../services/job-admin.service';
import { sendSuccess } from '../utils/response';
import type { IdParams, TypedRequest } from '../utils/typed-request';

export function createJobAdminController(jobs: JobAdminService) {
  return {
    async stats(_req: Request, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      sendSuccess(res, { email: await jobs.stats() });
    },
    async listFailed(req: TypedRequest<{ query: { limit: number } }>, res: Response) {
      const { limit } = req.validated.query;
      res.setHeader('Cache-Control', 'no-store');
      const failed = await jobs.listFailed(limit);
      sendSuccess(res, failed, { meta: { count: failed.length, limit } });
    },
    async retry(req: TypedRequest<{ params: IdParams }>, res: Response) {
      const { id } = req.validated.params;
      sendSuccess(res, await jobs.retry(id, req.auth!.id), { status: 202 });
    },
    dashboardLink(req: Request, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      sendSuccess(res, jobs.dashboardLink(req.auth!.id), { status: 201 });
    },
  };
}
