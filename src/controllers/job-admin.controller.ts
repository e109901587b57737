import type { Request, Response } from 'express';
import type { JobAdminService } from '../services/job-admin.service';
import { sendSuccess } from '../utils/response';

export function createJobAdminController(jobs: JobAdminService) {
  return {
    async stats(_req: Request, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      sendSuccess(res, { email: await jobs.stats() });
    },
    async listFailed(req: Request, res: Response) {
      const { limit } = req.validated.query as { limit: number };
      res.setHeader('Cache-Control', 'no-store');
      const failed = await jobs.listFailed(limit);
      sendSuccess(res, failed, { meta: { count: failed.length, limit } });
    },
    async retry(req: Request, res: Response) {
      const { id } = req.validated.params as { id: string };
      sendSuccess(res, await jobs.retry(id, req.auth!.id), { status: 202 });
    },
    dashboardLink(req: Request, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      sendSuccess(res, jobs.dashboardLink(req.auth!.id), { status: 201 });
    },
  };
}
