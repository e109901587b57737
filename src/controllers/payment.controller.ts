// HTTP for payments: the provider webhook (raw body + Stripe-Signature), staff refunds and the
// simulated provider's confirm step.
import type { Response } from 'express';
import type { PaymentService } from '../services/payments/payment.service';
import { toMinorUnits } from '../services/query-engine';
import { BadRequestError } from '../utils/errors';
import { isStaff } from '../utils/roles';
import { sendSuccess } from '../utils/response';
import type { IdempotencyHeaders, IdParams, TypedRequest } from '../utils/typed-request';
import { orderEtag } from './order.controller';

export interface WebhookHeaders {
  readonly 'stripe-signature'?: string;
}

export interface RefundBody {
  /** Decimal amount in the order currency; absent = everything not yet refunded. */
  readonly amount?: number;
  readonly reason?: string;
}

export interface ConfirmBody {
  readonly cardNumber: string;
}

export function createPaymentController(payments: PaymentService) {
  return {
    /** The route declares `rawBody`, so the body is the exact bytes the provider signed. */
    async webhook(req: TypedRequest<{ body: unknown; headers: WebhookHeaders }>, res: Response) {
      const { body } = req.validated;
      if (!Buffer.isBuffer(body)) throw new BadRequestError('The webhook body must be sent as the provider signed it', 'WEBHOOK_SIGNATURE_INVALID');
      const result = await payments.handleWebhook(body, req.validated.headers['stripe-signature']);
      sendSuccess(res, { received: true, duplicate: result.duplicate });
    },

    /**
     * The route's `idempotency: 'required'` replays a retried request; the key also goes to the
     * service (scoped to the order there) so the provider itself never refunds one key twice.
     */
    async refund(req: TypedRequest<{ params: IdParams; body: RefundBody; headers: Required<IdempotencyHeaders> }>, res: Response) {
      const { id } = req.validated.params;
      const { amount, reason } = req.validated.body;
      const order = await payments.refund(id, { amountMinor: amount === undefined ? undefined : toMinorUnits(amount), reason }, req.validated.headers['idempotency-key']);
      res.setHeader('ETag', orderEtag(order));
      sendSuccess(res, order);
    },

    async confirm(req: TypedRequest<{ params: { id: string }; body: ConfirmBody }>, res: Response) {
      const actor = { id: req.auth!.id, isStaff: isStaff(req.auth!.role) };
      sendSuccess(res, await payments.confirmSimulated(actor, req.validated.params.id, req.validated.body.cardNumber));
    },
  };
}
