// HTTP for products: read validated input, call one service method, send the envelope with validators.
import type { Request, Response } from 'express';
import type { ProductService } from '../services/products/product.service';
import type { ProductFilterQuery, ProductListQuery } from '../services/query-engine';
import { BadRequestError, PreconditionRequiredError } from '../utils/errors';
import { isNotModified, weakEtag } from '../utils/http-cache';
import { alreadyAnswered, sendCreated, sendNoContent, sendSuccess } from '../utils/response';
import { isStaff } from '../utils/roles';

/** Strong validator for one product: its id and version change together with every write. */
export function productEtag(view: { id: string; version: number }): string {
  return `"${view.id}-v${view.version}"`;
}

/** The version the client read: from If-Match (our ETag) or a `version` body field, which must agree. */
export function expectedVersion(ifMatch: string | undefined, id: string, bodyVersion: number | undefined): number {
  let fromHeader: number | undefined;
  if (ifMatch !== undefined) {
    const match = new RegExp(`^"${id}-v(\\d+)"$`).exec(ifMatch.trim());
    if (!match) throw new BadRequestError('If-Match must be the ETag this product was read with', 'INVALID_PRECONDITION');
    fromHeader = Number(match[1]);
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw new BadRequestError('If-Match and version disagree', 'INVALID_PRECONDITION');
  }
  const version = fromHeader ?? bodyVersion;
  if (version === undefined) {
    throw new PreconditionRequiredError('Send If-Match with the product ETag or the version you read', 'VERSION_REQUIRED');
  }
  return version;
}

function viewerOf(req: Request) {
  return { isStaff: isStaff(req.auth?.role) };
}

/** Responses differ by caller (staff see more), so shared caches must key on Authorization. */
function conditional(req: Request, res: Response, etag: string): boolean {
  if (alreadyAnswered(res, 'conditional')) return true;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', req.auth ? 'private, no-cache' : 'public, no-cache');
  res.vary('Authorization'); // appended: CORS has already said the answer varies by Origin
  if (!isNotModified(req, etag)) return false;
  res.status(304).end();
  return true;
}

export function createProductController(products: ProductService) {
  return {
    async list(req: Request, res: Response) {
      const result = await products.list(req.validated.query as ProductListQuery, viewerOf(req));
      if (conditional(req, res, weakEtag(result))) return;
      sendSuccess(res, result.data, { meta: result.meta });
    },

    async facets(req: Request, res: Response) {
      const result = await products.facets(req.validated.query as ProductFilterQuery, viewerOf(req));
      if (conditional(req, res, weakEtag(result))) return;
      sendSuccess(res, result);
    },

    async get(req: Request, res: Response) {
      const view = await products.get(String(req.validated.params.id), viewerOf(req));
      if (conditional(req, res, productEtag(view))) return;
      sendSuccess(res, view);
    },

    async create(req: Request, res: Response) {
      const view = await products.create(req.validated.body as Parameters<ProductService['create']>[0]);
      res.setHeader('ETag', productEtag(view));
      sendCreated(res, view, `${req.baseUrl}/products/${view.id}`);
    },

    async update(req: Request, res: Response) {
      const id = String(req.validated.params.id);
      const { version, ...patch } = req.validated.body as Parameters<ProductService['update']>[1] & { version?: number };
      const view = await products.update(id, patch, expectedVersion(req.get('if-match'), id, version));
      res.setHeader('ETag', productEtag(view));
      sendSuccess(res, view);
    },

    async remove(req: Request, res: Response) {
      await products.remove(String(req.validated.params.id), req.auth!.id);
      sendNoContent(res);
    },

    async restore(req: Request, res: Response) {
      const view = await products.restore(String(req.validated.params.id));
      res.setHeader('ETag', productEtag(view));
      sendSuccess(res, view);
    },
  };
}
