// The simulated provider (development and tests; config refuses it in production). It keeps its own
// intents in MongoDB, takes Stripe's test card numbers, and delivers Stripe-shaped events signed
// with the Stripe scheme to the same webhook endpoint, so verification, de-duplication and the
// state machine run exactly as they do with Stripe.
import { randomBytes } from 'node:crypto';
import type { SimulatedIntentRecord, SimulatedIntentRepository } from '../../repositories/payments/simulated-intent';
import { logger } from '../../utils/logger';
import { ProviderRejectedError, type PaymentEventType, type PaymentProvider, type ProviderIntent, type ProviderRefund } from './provider';
import { signWebhookPayload, verifyWebhook } from './webhook-signature';

/** Stripe's test cards and what they do here; any other number is refused (as Stripe's test mode does). */
export const TEST_CARDS: Readonly<Record<string, { outcome: 'succeeded' } | { outcome: 'declined'; declineCode: string }>> = {
  '4242424242424242': { outcome: 'succeeded' },
  '5555555555554444': { outcome: 'succeeded' },
  '4000000000000002': { outcome: 'declined', declineCode: 'generic_decline' },
  '4000000000009995': { outcome: 'declined', declineCode: 'insufficient_funds' },
  '4000000000000069': { outcome: 'declined', declineCode: 'expired_card' },
  '4000000000000127': { outcome: 'declined', declineCode: 'incorrect_cvc' },
};

/** Sends one signed event to the webhook endpoint; resolves whether the endpoint accepted it. */
export type WebhookDelivery = (payload: string, signatureHeader: string) => Promise<boolean>;

/** POSTs to the configured URL (by default this service's own `POST /api/v1/webhooks/stripe`). */
export function httpWebhookDelivery(url: string, timeoutMs: number): WebhookDelivery {
  return async (payload, signatureHeader) => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader },
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) logger.warn('simulated webhook refused', { url, status: res.status });
      return res.ok;
    } catch (err) {
      logger.warn('simulated webhook not delivered', { url, error: (err as Error).message });
      return false;
    }
  };
}

export interface SimulatedProviderOptions {
  readonly intents: SimulatedIntentRepository;
  readonly webhookSecret: string;
  readonly webhookToleranceSeconds: number;
  readonly deliver: WebhookDelivery;
  readonly now?: () => Date;
}

export type ConfirmOutcome = { status: 'succeeded' | 'requires_payment_method'; declineCode: string | null; webhookDelivered: boolean };

export interface SimulatedProvider extends PaymentProvider {
  /** What Stripe.js does with a card in the browser: succeed or decline, then send the webhook. */
  confirm(providerPaymentId: string, cardNumber: string): Promise<ConfirmOutcome>;
  /**
   * A refund made in the provider's dashboard, not through our API (without an amount: the rest).
   * Like Stripe, only `charge.refunded` tells us, and its payload carries the new total, not the refund.
   */
  refundFromDashboard(providerPaymentId: string, amountMinor?: number): Promise<ProviderRefund & { webhookDelivered: boolean }>;
}

type RefundInput = { amountMinor?: number; idempotencyKey: string; reason?: string; viaDashboard?: boolean };

const newId = (prefix: string) => `${prefix}_sim_${randomBytes(12).toString('hex')}`;

function toIntent(r: SimulatedIntentRecord): ProviderIntent {
  return {
    providerPaymentId: r._id,
    orderId: r.orderId,
    amountMinor: r.amountMinor,
    amountReceivedMinor: r.status === 'succeeded' ? r.amountMinor : 0,
    amountRefundedMinor: r.amountRefundedMinor,
    currency: r.currency,
    status: r.status,
  };
}

export function createSimulatedProvider(options: SimulatedProviderOptions): SimulatedProvider {
  const { intents } = options;
  const now = options.now ?? (() => new Date());

  async function find(id: string): Promise<SimulatedIntentRecord> {
    const intent = await intents.findById(id);
    if (!intent) throw new ProviderRejectedError(`No such payment_intent: '${id}'`, 'resource_missing');
    return intent;
  }

  /** Builds the event Stripe would send, signs it with the Stripe scheme and delivers it. */
  async function emit(type: PaymentEventType, intent: SimulatedIntentRecord): Promise<boolean> {
    const metadata = { orderId: intent.orderId };
    const currency = intent.currency.toLowerCase();
    const object =
      type === 'charge.refunded'
        ? { id: `ch_sim_${intent._id.slice(7)}`, object: 'charge', amount: intent.amountMinor, amount_refunded: intent.amountRefundedMinor, refunded: intent.amountRefundedMinor >= intent.amountMinor, currency, payment_intent: intent._id, metadata }
        : {
            id: intent._id,
            object: 'payment_intent',
            amount: intent.amountMinor,
            amount_received: intent.status === 'succeeded' ? intent.amountMinor : 0,
            currency,
            status: intent.status,
            metadata,
            last_payment_error: intent.lastFailure ? { code: 'card_declined', decline_code: intent.lastFailure, message: 'Your card was declined.' } : null,
          };
    const created = Math.floor(now().getTime() / 1000);
    const payload = JSON.stringify({ id: newId('evt'), object: 'event', api_version: 'simulated', created, livemode: false, type, data: { object } });
    return options.deliver(payload, signWebhookPayload(payload, options.webhookSecret, created));
  }

  /** Our API's refunds and the dashboard's alike; `charge.refunded` is sent before the answer, as Stripe may. */
  async function refund(id: string, input: RefundInput): Promise<{ refund: ProviderRefund; webhookDelivered: boolean }> {
    const { amountMinor, idempotencyKey } = input;
    const intent = await find(id);
    const previous = intent.refunds.find((r) => r.idempotencyKey === idempotencyKey);
    if (previous) return { refund: { providerRefundId: previous.refundId, amountMinor: previous.amountMinor, totalRefundedMinor: intent.amountRefundedMinor }, webhookDelivered: false };
    if (intent.status !== 'succeeded') throw new ProviderRejectedError(`This PaymentIntent's status is ${intent.status}; nothing was charged`, 'charge_not_refundable');
    const amount = amountMinor ?? intent.amountMinor - intent.amountRefundedMinor;
    const record = { refundId: newId('re'), amountMinor: amount, idempotencyKey, at: now(), ...(input.reason && { reason: input.reason }), ...(input.viaDashboard && { viaDashboard: true }) };
    const updated = amount > 0 ? await intents.addRefund(id, record) : null;
    if (!updated) {
      // A concurrent request with the same key may have won; otherwise the amount is too large.
      const again = (await find(id)).refunds.find((r) => r.idempotencyKey === idempotencyKey);
      if (again) return { refund: { providerRefundId: again.refundId, amountMinor: again.amountMinor, totalRefundedMinor: (await find(id)).amountRefundedMinor }, webhookDelivered: false };
      throw new ProviderRejectedError(`Refund amount (${amount}) is greater than the unrefunded amount on the charge`, 'amount_too_large');
    }
    const webhookDelivered = await emit('charge.refunded', updated);
    return { refund: { providerRefundId: record.refundId, amountMinor: amount, totalRefundedMinor: updated.amountRefundedMinor }, webhookDelivered };
  }

  return {
    name: 'simulated',

    async createIntent({ orderId, amountMinor, currency, idempotencyKey }) {
      const id = newId('pi');
      const intent = await intents.createOnce({ _id: id, orderId, amountMinor, currency, status: 'requires_payment_method', clientSecret: `${id}_secret_${randomBytes(12).toString('hex')}`, idempotencyKey });
      return { providerPaymentId: intent._id, clientSecret: intent.clientSecret, status: intent.status };
    },

    async cancel(id) {
      const cancelled = await intents.settle(id, 'canceled', null);
      if (!cancelled) {
        const intent = await find(id);
        if (intent.status === 'canceled') return;
        throw new ProviderRejectedError(`This PaymentIntent's status is ${intent.status}; it cannot be canceled`, 'payment_intent_unexpected_state');
      }
      await emit('payment_intent.canceled', cancelled);
    },

    refund: async (id, input) => (await refund(id, input)).refund,

    async refundFromDashboard(id, amountMinor) {
      const made = await refund(id, { amountMinor, idempotencyKey: `dashboard:${randomBytes(12).toString('hex')}`, viaDashboard: true });
      return { ...made.refund, webhookDelivered: made.webhookDelivered };
    },

    async listRefunds(id) {
      return (await find(id)).refunds.map((r) => ({
        providerRefundId: r.refundId,
        amountMinor: r.amountMinor,
        createdAt: r.at,
        idempotencyKey: r.viaDashboard ? null : r.idempotencyKey,
        reason: r.reason ?? null,
      }));
    },

    retrieve: async (id) => toIntent(await find(id)),

    parseWebhook: (rawBody, header) => verifyWebhook(rawBody, header, options.webhookSecret, options.webhookToleranceSeconds),

    async confirm(id, cardNumber) {
      const card = TEST_CARDS[cardNumber.replace(/[\s-]/g, '')];
      if (!card) throw new ProviderRejectedError(`Use one of Stripe's test cards: ${Object.keys(TEST_CARDS).join(', ')}`, 'card_not_supported');
      const intent = await find(id);
      if (intent.status !== 'requires_payment_method') {
        throw new ProviderRejectedError(`This PaymentIntent's status is ${intent.status}; it cannot be confirmed`, 'payment_intent_unexpected_state');
      }
      const succeeded = card.outcome === 'succeeded';
      const declineCode = card.outcome === 'declined' ? card.declineCode : null;
      const settled = await intents.settle(id, succeeded ? 'succeeded' : 'requires_payment_method', declineCode);
      if (!settled) throw new ProviderRejectedError('This PaymentIntent was confirmed or cancelled concurrently', 'payment_intent_unexpected_state');
      const webhookDelivered = await emit(succeeded ? 'payment_intent.succeeded' : 'payment_intent.payment_failed', settled);
      return { status: settled.status === 'succeeded' ? 'succeeded' : 'requires_payment_method', declineCode, webhookDelivered };
    },
  };
}
