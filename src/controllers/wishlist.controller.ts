// HTTP for the caller's own wishlist: the account is always `req.auth.id`, never a parameter.
import type { Response } from 'express';
import type { AddItemInput, WishlistPreferences, WishlistService } from '../services/wishlists/wishlist.service';
import { sendNoContent, sendSuccess } from '../utils/response';
import type { TypedRequest } from '../utils/typed-request';

export function createWishlistController(wishlists: WishlistService) {
  return {
    async get(req: TypedRequest, res: Response) {
      res.setHeader('Cache-Control', 'private, no-store');
      sendSuccess(res, await wishlists.get(req.auth!.id));
    },

    async setPreferences(req: TypedRequest<{ body: WishlistPreferences }>, res: Response) {
      sendSuccess(res, await wishlists.setPreferences(req.auth!.id, req.validated.body));
    },

    /** 201 when added, 200 when it was already on the list (adding is idempotent). */
    async addItem(req: TypedRequest<{ body: AddItemInput }>, res: Response) {
      const { item, created } = await wishlists.addItem(req.auth!.id, req.validated.body);
      res.location(`${req.baseUrl}/wishlist/items/${item.variantId}`);
      sendSuccess(res, item, { status: created ? 201 : 200 });
    },

    async removeItem(req: TypedRequest<{ params: { variantId: string } }>, res: Response) {
      await wishlists.removeItem(req.auth!.id, req.validated.params.variantId);
      sendNoContent(res);
    },
  };
}
