// HTTP for products: read validated input, call one service method, send the envelope with validators.
import type { Request, Response } from 'express';
import type { FacetsQuery, ProductService } from '../services/products/product.service';
import type { ProductListQuery } from '../services/query-engine';
import { answerConditionally, expectedVersion, sendValidated, versionEtag } from '../utils/http-cache';
import { sendCreated, sendNoContent, sendSuccess } from '../utils/response';
import { isStaff } from '../utils/roles';
import type { IdParams, IfMatchHeaders, TypedRequest } from '../utils/typed-request';

/** Strong validator for one product: its id and version change together with every write. */
export const productEtag = versionEtag;

export type ProductBody = Parameters<ProductService['create']>[0];
export type ProductPatchBody = Parameters<ProductService['update']>[1] & { version?: number };
export type VariantBody = Parameters<ProductService['addVariant']>[1] & { version?: number };
export type VariantPatchBody = Parameters<ProductService['updateVariant']>[2] & { version?: number };
export type VariantParams = { id: string; variantId: string };
/** The body of an edit that carries nothing but the optimistic-concurrency `version` (optional: If-Match may carry it). */
export type VersionBody = { version?: number };

function viewerOf(req: Pick<Request, 'auth'>) {
  return { isStaff: isStaff(req.auth?.role) };
}

export function createProductController(products: ProductService) {
  return {
    async list(req: TypedRequest<{ query: ProductListQuery }>, res: Response) {
      const result = await products.list(req.validated.query, viewerOf(req));
      sendValidated(req, res, result.data, result.meta);
    },

    async facets(req: TypedRequest<{ query: FacetsQuery }>, res: Response) {
      sendValidated(req, res, await products.facets(req.validated.query, viewerOf(req)));
    },

    async get(req: TypedRequest<{ params: IdParams }>, res: Response) {
      const view = await products.get(req.validated.params.id, viewerOf(req));
      if (answerConditionally(req, res, productEtag(view))) return;
      sendSuccess(res, view);
    },

    async create(req: TypedRequest<{ body: ProductBody }>, res: Response) {
      const view = await products.create(req.validated.body);
      res.setHeader('ETag', productEtag(view));
      sendCreated(res, view, `${req.baseUrl}/products/${view.id}`);
    },

    async update(req: TypedRequest<{ params: IdParams; body: ProductPatchBody; headers: IfMatchHeaders }>, res: Response) {
      const { id } = req.validated.params;
      const { version, ...patch } = req.validated.body;
      const view = await products.update(id, patch, expectedVersion(req.validated.headers['if-match'], id, version, 'product'));
      res.setHeader('ETag', productEtag(view));
      sendSuccess(res, view);
    },

    async addVariant(req: TypedRequest<{ params: IdParams; body: VariantBody; headers: IfMatchHeaders }>, res: Response) {
      const { id } = req.validated.params;
      const { version, ...input } = req.validated.body;
      const view = await products.addVariant(id, input, expectedVersion(req.validated.headers['if-match'], id, version, 'product'));
      const created = view.variants.find((v) => v.sku === input.sku)!;
      res.setHeader('ETag', productEtag(view));
      sendCreated(res, view, `${req.baseUrl}/products/${view.id}/variants/${created.id}`);
    },

    async updateVariant(req: TypedRequest<{ params: VariantParams; body: VariantPatchBody; headers: IfMatchHeaders }>, res: Response) {
      const { id, variantId } = req.validated.params;
      const { version, ...patch } = req.validated.body;
      const view = await products.updateVariant(id, variantId, patch, expectedVersion(req.validated.headers['if-match'], id, version, 'product'));
      res.setHeader('ETag', productEtag(view));
      sendSuccess(res, view);
    },

    async removeVariant(req: TypedRequest<{ params: VariantParams; body: VersionBody; headers: IfMatchHeaders }>, res: Response) {
      const { id, variantId } = req.validated.params;
      const view = await products.removeVariant(id, variantId, expectedVersion(req.validated.headers['if-match'], id, req.validated.body?.version, 'product'));
      res.setHeader('ETag', productEtag(view));
      sendSuccess(res, view);
    },

    async remove(req: TypedRequest<{ params: IdParams }>, res: Response) {
      await products.remove(req.validated.params.id, req.auth!.id);
      sendNoContent(res);
    },

    async restore(req: TypedRequest<{ params: IdParams }>, res: Response) {
      const view = await products.restore(req.validated.params.id);
      res.setHeader('ETag', productEtag(view));
      sendSuccess(res, view);
    },
  };
}
