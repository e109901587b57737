// Stripe through the official SDK: PaymentIntents carrying the order id in metadata, the caller's
// idempotency key passed to Stripe, refunds, and webhook verification on the raw body. The SDK's own
// retries are off: the guard (resilience.ts) owns timeouts, retries and the circuit breaker.
import Stripe from 'stripe';
import { ProviderRejectedError, type CreatedIntent, type IntentStatus, type ListedRefund, type PaymentProvider, type ProviderIntent } from './provider';
import { verifyWebhook } from './webhook-signature';

export interface StripeProviderOptions {
  readonly secretKey: string;
  readonly webhookSecret: string;
  readonly webhookToleranceSeconds: number;
  readonly timeoutMs: number;
  /** API endpoint overrides; tests point the SDK at a local fake server. */
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
}

/** Transient failures (network, 5xx, rate limit) stay as they are; Stripe's refusals become ProviderRejectedError. */
function classify(err: unknown): unknown {
  if (!(err instanceof Stripe.errors.StripeError)) return err;
  const transient = err instanceof Stripe.errors.StripeConnectionError || err instanceof Stripe.errors.StripeAPIError || err instanceof Stripe.errors.StripeRateLimitError || (err.statusCode ?? 0) >= 500;
  return transient ? err : new ProviderRejectedError(err.message, err.code ?? err.type, { cause: err });
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw classify(err);
  }
}

function toIntent(pi: Stripe.PaymentIntent): ProviderIntent {
  const charge = typeof pi.latest_charge === 'object' && pi.latest_charge ? pi.latest_charge : null;
  return {
    providerPaymentId: pi.id,
    orderId: pi.metadata?.orderId ?? null,
    amountMinor: pi.amount,
    amountReceivedMinor: pi.amount_received,
    amountRefundedMinor: charge?.amount_refunded ?? 0,
    currency: pi.currency.toUpperCase(),
    status: pi.status as IntentStatus,
  };
}

/** Refunds that moved or are moving money; `failed` and `canceled` ones gave nothing back, `requires_action` none yet. */
const MONEY_OUT: ReadonlySet<string> = new Set(['succeeded', 'pending']);

function toListedRefund(refund: Stripe.Refund): ListedRefund {
  return {
    providerRefundId: refund.id,
    amountMinor: refund.amount,
    createdAt: new Date(refund.created * 1000),
    idempotencyKey: refund.metadata?.idempotencyKey ?? null,
    reason: refund.metadata?.reason ?? null,
  };
}

export function createStripeProvider(options: StripeProviderOptions, client?: Stripe): PaymentProvider {
  const stripe =
    client ??
    new Stripe(options.secretKey, {
      maxNetworkRetries: 0,
      timeout: options.timeoutMs,
      telemetry: false,
      ...(options.host && { host: options.host }),
      ...(options.port && { port: options.port }),
      ...(options.protocol && { protocol: options.protocol }),
    });

  const retrieve = (id: string) => call(async () => toIntent(await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] })));

  return {
    name: 'stripe',

    async createIntent({ orderId, amountMinor, currency, idempotencyKey }): Promise<CreatedIntent> {
      const pi = await call(() =>
        stripe.paymentIntents.create(
          { amount: amountMinor, currency: currency.toLowerCase(), metadata: { orderId }, automatic_payment_methods: { enabled: true } },
          { idempotencyKey },
        ),
      );
      if (!pi.client_secret) throw new ProviderRejectedError('Stripe returned a PaymentIntent without a client secret', null);
      return { providerPaymentId: pi.id, clientSecret: pi.client_secret, status: pi.status as IntentStatus };
    },

    async cancel(id) {
      await call(() => stripe.paymentIntents.cancel(id));
    },

    async refund(id, { amountMinor, idempotencyKey, reason }) {
      // The key and reason travel as metadata: a listing of the payment's refunds then tells ours apart.
      const metadata = { idempotencyKey, ...(reason && { reason }) };
      const refund = await call(() =>
        stripe.refunds.create({ payment_intent: id, metadata, ...(amountMinor !== undefined && { amount: amountMinor }) }, { idempotencyKey }),
      );
      // The refund object carries only its own amount; the running total comes from the charge.
      const intent = await retrieve(id);
      return { providerRefundId: refund.id, amountMinor: refund.amount, totalRefundedMinor: Math.max(intent.amountRefundedMinor, refund.amount) };
    },

    retrieve,

    listRefunds: (id) =>
      call(async () => {
        const refunds: ListedRefund[] = [];
        // The SDK's auto-pagination follows `has_more` with `starting_after`.
        for await (const refund of stripe.refunds.list({ payment_intent: id, limit: 100 })) {
          if (MONEY_OUT.has(refund.status ?? '')) refunds.push(toListedRefund(refund));
        }
        return refunds;
      }),

    parseWebhook: (rawBody, header) => verifyWebhook(rawBody, header, options.webhookSecret, options.webhookToleranceSeconds),
  };
}
