// HTTP side of /accounts: pagination parameters and cursors in, envelopes out.
import type { Request, Response } from 'express';
import type { AccountListQuery, AccountPatch, AccountService } from '../services/account.service';
import { sendNoContent, sendSuccess } from '../utils/response';

export function createAccountController(accounts: AccountService) {
  const idOf = (req: Request) => String(req.validated.params.id);

  return {
    async list(req: Request, res: Response) {
      const page = await accounts.list(req.validated.query as AccountListQuery);
      sendSuccess(res, page.data, { meta: page.meta });
    },

    async get(req: Request, res: Response) {
      sendSuccess(res, await accounts.get(req.auth!, idOf(req)));
    },

    async update(req: Request, res: Response) {
      sendSuccess(res, await accounts.update(req.auth!, idOf(req), req.validated.body as AccountPatch));
    },

    async updateMe(req: Request, res: Response) {
      sendSuccess(res, await accounts.update(req.auth!, req.auth!.id, req.validated.body as AccountPatch));
    },

    async remove(req: Request, res: Response) {
      await accounts.remove(req.auth!, idOf(req));
      sendNoContent(res);
    },

    async restore(req: Request, res: Response) {
      sendSuccess(res, await accounts.restore(req.auth!, idOf(req)));
    },
  };
}
