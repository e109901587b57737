// HTTP for reviews: read validated input, call one service method, send the envelope (with the
// review's ETag where it can be edited next).
import type { Request, Response } from 'express';
import type { ProductReviewQuery, ReviewListQuery } from '../services/reviews/query';
import type { ReviewInput, ReviewPatch, ReviewService } from '../services/reviews/review.service';
import type { ReviewViewer } from '../services/reviews/view';
import { expectedVersion, versionEtag } from '../utils/http-cache';
import { sendCreated, sendNoContent, sendSuccess } from '../utils/response';
import { isStaff } from '../utils/roles';
import type { IdempotencyHeaders, IdParams, IfMatchHeaders, TypedRequest } from '../utils/typed-request';

export type ReviewPatchBody = ReviewPatch & { version?: number };

export interface HideBody {
  readonly reason: string;
}

function viewerOf(req: Pick<Request, 'auth'>): ReviewViewer {
  return req.auth ? { id: req.auth.id, isStaff: isStaff(req.auth.role) } : { isStaff: false };
}

/** For routes behind authentication: the caller is known. */
function callerOf(req: Pick<Request, 'auth'>): Required<ReviewViewer> {
  return { id: req.auth!.id, isStaff: isStaff(req.auth!.role) };
}

export function createReviewController(reviews: ReviewService) {
  return {
    async listForProduct(req: TypedRequest<{ params: IdParams; query: ProductReviewQuery }>, res: Response) {
      const result = await reviews.listForProduct(req.validated.params.id, req.validated.query, viewerOf(req));
      sendSuccess(res, result.data, { meta: result.meta });
    },

    async list(req: TypedRequest<{ query: ReviewListQuery }>, res: Response) {
      const result = await reviews.list(req.validated.query, callerOf(req));
      res.setHeader('Cache-Control', 'private, no-store');
      sendSuccess(res, result.data, { meta: result.meta });
    },

    async create(req: TypedRequest<{ params: IdParams; body: ReviewInput; headers: IdempotencyHeaders }>, res: Response) {
      const view = await reviews.create(req.validated.params.id, req.validated.body, callerOf(req));
      res.setHeader('ETag', versionEtag(view));
      sendCreated(res, view, `${req.baseUrl}/reviews/${view.id}`);
    },

    async get(req: TypedRequest<{ params: IdParams }>, res: Response) {
      const view = await reviews.get(req.validated.params.id, viewerOf(req));
      res.setHeader('ETag', versionEtag(view));
      sendSuccess(res, view);
    },

    async update(req: TypedRequest<{ params: IdParams; body: ReviewPatchBody; headers: IfMatchHeaders }>, res: Response) {
      const { id } = req.validated.params;
      const { version, ...patch } = req.validated.body;
      const view = await reviews.update(id, patch, expectedVersion(req.validated.headers['if-match'], id, version, 'review'), callerOf(req));
      res.setHeader('ETag', versionEtag(view));
      sendSuccess(res, view);
    },

    async remove(req: TypedRequest<{ params: IdParams }>, res: Response) {
      await reviews.remove(req.validated.params.id, callerOf(req));
      sendNoContent(res);
    },

    async hide(req: TypedRequest<{ params: IdParams; body: HideBody }>, res: Response) {
      const view = await reviews.hide(req.validated.params.id, req.validated.body.reason, callerOf(req));
      res.setHeader('ETag', versionEtag(view));
      sendSuccess(res, view);
    },

    async unhide(req: TypedRequest<{ params: IdParams }>, res: Response) {
      const view = await reviews.unhide(req.validated.params.id, callerOf(req));
      res.setHeader('ETag', versionEtag(view));
      sendSuccess(res, view);
    },

    async voteHelpful(req: TypedRequest<{ params: IdParams }>, res: Response) {
      sendSuccess(res, await reviews.voteHelpful(req.validated.params.id, callerOf(req)));
    },

    async withdrawHelpful(req: TypedRequest<{ params: IdParams }>, res: Response) {
      await reviews.withdrawHelpful(req.validated.params.id, callerOf(req));
      sendNoContent(res);
    },
  };
}
