// HTTP for categories: read validated input, call one service method, send the envelope with validators.
import type { Request, Response } from 'express';
import type { CategoryInput, CategoryPatch, CategoryService } from '../services/categories/category.service';
import { answerConditionally, expectedVersion, sendValidated, versionEtag } from '../utils/http-cache';
import { sendCreated, sendNoContent, sendSuccess } from '../utils/response';
import { isStaff } from '../utils/roles';
import type { IdParams, IfMatchHeaders, TypedRequest } from '../utils/typed-request';

function viewerOf(req: Pick<Request, 'auth'>) {
  return { isStaff: isStaff(req.auth?.role) };
}

export function createCategoryController(categories: CategoryService) {
  return {
    async tree(req: TypedRequest, res: Response) {
      sendValidated(req, res, await categories.tree(viewerOf(req)));
    },

    async get(req: TypedRequest<{ params: IdParams }>, res: Response) {
      const view = await categories.get(req.validated.params.id, viewerOf(req));
      if (answerConditionally(req, res, versionEtag(view))) return;
      sendSuccess(res, view);
    },

    async create(req: TypedRequest<{ body: CategoryInput }>, res: Response) {
      const view = await categories.create(req.validated.body);
      res.setHeader('ETag', versionEtag(view));
      sendCreated(res, view, `${req.baseUrl}/categories/${view.id}`);
    },

    async update(req: TypedRequest<{ params: IdParams; body: CategoryPatch & { version?: number }; headers: IfMatchHeaders }>, res: Response) {
      const { id } = req.validated.params;
      const { version, ...patch } = req.validated.body;
      const view = await categories.update(id, patch, expectedVersion(req.validated.headers['if-match'], id, version, 'category'));
      res.setHeader('ETag', versionEtag(view));
      sendSuccess(res, view);
    },

    async remove(req: TypedRequest<{ params: IdParams; query: { reassignTo?: string } }>, res: Response) {
      await categories.remove(req.validated.params.id, req.validated.query.reassignTo);
      sendNoContent(res);
    },
  };
}
