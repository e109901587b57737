// HTTP for the cart and checkout: read validated input, call one service method, send the envelope.
// The cart is always the caller's own (the account comes from the token, never from the request).
import type { Response } from 'express';
import type { AddCartItemInput, CartService } from '../services/cart/cart.service';
import type { CheckoutInput, CheckoutService } from '../services/checkout.service';
import { sendSuccess } from '../utils/response';
import type { IdempotencyHeaders, TypedRequest } from '../utils/typed-request';
import { orderEtag } from './order.controller';

type VariantParams = { variantId: string };

export function createCartController(cart: CartService, checkout: CheckoutService) {
  const noStore = (res: Response) => res.setHeader('Cache-Control', 'private, no-store');
  return {
    async get(req: TypedRequest, res: Response) {
      noStore(res);
      sendSuccess(res, await cart.get(req.auth!.id));
    },

    async addItem(req: TypedRequest<{ body: AddCartItemInput }>, res: Response) {
      noStore(res);
      sendSuccess(res, await cart.addItem(req.auth!.id, req.validated.body));
    },

    async setQuantity(req: TypedRequest<{ params: VariantParams; body: { quantity: number } }>, res: Response) {
      noStore(res);
      sendSuccess(res, await cart.setQuantity(req.auth!.id, req.validated.params.variantId, req.validated.body.quantity));
    },

    async removeItem(req: TypedRequest<{ params: VariantParams }>, res: Response) {
      noStore(res);
      sendSuccess(res, await cart.removeItem(req.auth!.id, req.validated.params.variantId));
    },

    async clear(req: TypedRequest, res: Response) {
      noStore(res);
      sendSuccess(res, await cart.clear(req.auth!.id));
    },

    /**
     * The route's `idempotency: 'required'` replays a retried checkout; the key also goes to the
     * provider (scoped to the order), so one key never creates two payments.
     */
    async checkout(req: TypedRequest<{ body: CheckoutInput; headers: Required<IdempotencyHeaders> }>, res: Response) {
      const created = await checkout.checkout(req.auth!.id, req.validated.body, req.validated.headers['idempotency-key']);
      res.setHeader('ETag', orderEtag(created.order));
      res.location(`${req.baseUrl}/orders/${created.order.id}`);
      sendSuccess(res, created, { status: 201 });
    },
  };
}
