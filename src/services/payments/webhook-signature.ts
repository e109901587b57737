// Stripe's webhook signature scheme, shared by both providers: `Stripe-Signature: t=<unix>,v1=<hex
// HMAC-SHA256(secret, "<t>.<raw body>")>`. Verification is the official SDK's constructEvent over the
// raw bytes with a timestamp tolerance; the simulated provider signs with the same scheme, so one
// verification path serves both.
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { WebhookSignatureError, type PaymentEvent } from './provider';

/** The header value for `payload` signed at `timestampSeconds` (simulated provider and tests). */
export function signWebhookPayload(payload: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}

interface StripeObjectLike {
  id?: string;
  object?: string;
  amount?: number;
  amount_received?: number;
  amount_refunded?: number;
  payment_intent?: string | { id: string } | null;
  metadata?: Record<string, string> | null;
  last_payment_error?: { message?: string; decline_code?: string; code?: string } | null;
}

function paymentIdOf(object: StripeObjectLike): string | null {
  if (object.object === 'payment_intent') return object.id ?? null;
  const pi = object.payment_intent;
  if (typeof pi === 'string') return pi;
  return pi?.id ?? null;
}

/** Normalises a verified Stripe event (payment_intent.* carry an intent, charge.* a charge). */
export function toPaymentEvent(event: { id: string; type: string; created: number; data: { object: unknown } }): PaymentEvent {
  const object = (event.data?.object ?? {}) as StripeObjectLike;
  const failure = object.last_payment_error;
  return {
    id: event.id,
    type: event.type,
    createdAt: new Date(event.created * 1000),
    providerPaymentId: paymentIdOf(object),
    orderId: object.metadata?.orderId ?? null,
    amountMinor: object.amount ?? 0,
    amountReceivedMinor: object.amount_received ?? 0,
    amountRefundedMinor: object.amount_refunded ?? 0,
    failureReason: failure ? (failure.decline_code ?? failure.code ?? failure.message ?? 'declined') : null,
  };
}

/** Verifies and parses; every verification failure (missing, malformed, forged, stale) is a WebhookSignatureError. */
export function verifyWebhook(rawBody: Buffer, header: string | undefined, secret: string, toleranceSeconds: number): PaymentEvent {
  if (!header) throw new WebhookSignatureError('missing Stripe-Signature header');
  if (!Buffer.isBuffer(rawBody) || rawBody.length === 0) throw new WebhookSignatureError('the raw request body is required');
  // The SDK refuses signatures older than the tolerance but not ones dated in the future; a future
  // timestamp would make a captured delivery replayable for longer, so it gets the same window.
  const timestamp = Number(/(?:^|,)\s*t=(\d+)/.exec(header)?.[1]);
  if (Number.isFinite(timestamp) && timestamp - Date.now() / 1000 > toleranceSeconds) throw new WebhookSignatureError('timestamp is in the future beyond the tolerance');
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(rawBody, header, secret, toleranceSeconds);
  } catch (err) {
    throw new WebhookSignatureError((err as Error).message, { cause: err });
  }
  return toPaymentEvent(event as unknown as Parameters<typeof toPaymentEvent>[0]);
}
