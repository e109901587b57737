// HTTP side of /accounts: validated input in, envelopes out.
import type { Response } from 'express';
import type { AccountListQuery, AccountPatch, AccountService } from '../services/account.service';
import { sendNoContent, sendSuccess } from '../utils/response';
import type { IdParams, TypedRequest } from '../utils/typed-request';

export function createAccountController(accounts: AccountService) {
  return {
    async list(req: TypedRequest<{ query: AccountListQuery }>, res: Response) {
      const page = await accounts.list(req.validated.query);
      sendSuccess(res, page.data, { meta: page.meta });
    },

    async get(req: TypedRequest<{ params: IdParams }>, res: Response) {
      sendSuccess(res, await accounts.get(req.auth!, req.validated.params.id));
    },

    async update(req: TypedRequest<{ params: IdParams; body: AccountPatch }>, res: Response) {
      sendSuccess(res, await accounts.update(req.auth!, req.validated.params.id, req.validated.body));
    },

    async updateMe(req: TypedRequest<{ body: AccountPatch }>, res: Response) {
      sendSuccess(res, await accounts.update(req.auth!, req.auth!.id, req.validated.body));
    },

    async remove(req: TypedRequest<{ params: IdParams }>, res: Response) {
      await accounts.remove(req.auth!, req.validated.params.id);
      sendNoContent(res);
    },

    async restore(req: TypedRequest<{ params: IdParams }>, res: Response) {
      sendSuccess(res, await accounts.restore(req.auth!, req.validated.params.id));
    },
  };
}
