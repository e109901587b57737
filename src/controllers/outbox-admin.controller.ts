import type { Request, Response } from 'express';
import type { OutboxAdminService } from '../services/outbox/outbox-admin';
import { sendSuccess } from '../utils/response';

export function createOutboxAdminController(outbox: OutboxAdminService) {
  return {
    async listStuck(req: Request, res: Response) {
      const { olderThanSeconds, limit } = req.validated.query as { olderThanSeconds: number; limit: number };
      res.setHeader('Cache-Control', 'no-store');
      const events = await outbox.listStuck(olderThanSeconds, limit);
      sendSuccess(res, events, { meta: { count: events.length, limit, olderThanSeconds } });
    },
    async republish(req: Request, res: Response) {
      const { id } = req.validated.params as { id: string };
      sendSuccess(res, await outbox.republish(id, req.auth!.id), { status: 202 });
    },
  };
}
