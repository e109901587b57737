// HTTP for payments: the provider webhook (raw body + Stripe-Signature), staff refunds and the
// simulated provider's confirm step.
import type { Request, Response } from 'express';
import type { PaymentService } from '../services/payments/payment.service';
import { toMinorUnits } from '../services/query-engine';
import { isStaff } from '../utils/roles';
import { sendSuccess } from '../utils/response';
import { orderEtag } from './order.controller';

export function createPaymentController(payments: PaymentService) {
  return {
    async webhook(req: Request, res: Response) {
      const result = await payments.handleWebhook(req.validated.body as Buffer, req.get('stripe-signature'));
      sendSuccess(res, { received: true, duplicate: result.duplicate });
    },

    async refund(req: Request, res: Response) {
      const id = String(req.validated.params.id);
      const body = (req.validated.body ?? {}) as { amount?: number; reason?: string };
      const key = String(req.headers['idempotency-key']).trim();
      const result = await payments.refund(id, { amountMinor: body.amount === undefined ? undefined : toMinorUnits(body.amount), reason: body.reason }, key);
      if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
      res.setHeader('ETag', orderEtag(result.order));
      sendSuccess(res, result.order);
    },

    async confirm(req: Request, res: Response) {
      const { cardNumber } = req.validated.body as { cardNumber: string };
      const actor = { id: req.auth!.id, isStaff: isStaff(req.auth!.role) };
      sendSuccess(res, await payments.confirmSimulated(actor, String(req.validated.params.id), cardNumber));
    },
  };
}
