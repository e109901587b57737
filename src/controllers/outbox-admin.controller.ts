import type { Response } from 'express';
import type { OutboxAdminService } from '../services/outbox/outbox-admin';
import { sendSuccess } from '../utils/response';
import type { IdParams, TypedRequest } from '../utils/typed-request';

export interface StuckEventsQuery {
  olderThanSeconds: number;
  limit: number;
}

export function createOutboxAdminController(outbox: OutboxAdminService) {
  return {
    async listStuck(req: TypedRequest<{ query: StuckEventsQuery }>, res: Response) {
      const { olderThanSeconds, limit } = req.validated.query;
      res.setHeader('Cache-Control', 'no-store');
      const events = await outbox.listStuck(olderThanSeconds, limit);
      sendSuccess(res, events, { meta: { count: events.length, limit, olderThanSeconds } });
    },
    async republish(req: TypedRequest<{ params: IdParams }>, res: Response) {
      const { id } = req.validated.params;
      sendSuccess(res, await outbox.republish(id, req.auth!.id), { status: 202 });
    },
  };
}
