// The payment provider contract. Stripe and the simulated provider implement it; the payment
// service, the webhook and checkout know only this. Amounts are integer minor units.

export type IntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'succeeded' | 'canceled';

export interface CreatedIntent {
  readonly providerPaymentId: string;
  /** What the client needs to pay (Stripe.js `confirmCardPayment`, or the dev confirm endpoint). */
  readonly clientSecret: string;
  readonly status: IntentStatus;
}

export interface ProviderIntent {
  readonly providerPaymentId: string;
  readonly orderId: string | null;
  readonly amountMinor: number;
  readonly amountReceivedMinor: number;
  readonly amountRefundedMinor: number;
  readonly currency: string;
  readonly status: IntentStatus;
}

export interface ProviderRefund {
  readonly providerRefundId: string;
  readonly amountMinor: number;
  /** Everything refunded on this payment so far, this refund included (the order converges on it). */
  readonly totalRefundedMinor: number;
}

/** A refund as the provider lists it: one made through our API, or one made in the provider's dashboard. */
export interface ListedRefund {
  readonly providerRefundId: string;
  readonly amountMinor: number;
  /** When the provider created it. */
  readonly createdAt: Date;
  /** The key our API made it with (kept in the provider's metadata); null for a refund made outside the API. */
  readonly idempotencyKey: string | null;
  readonly reason: string | null;
}

/** The webhook events we act on, normalised from the provider's payload. */
export type PaymentEventType = 'payment_intent.succeeded' | 'payment_intent.payment_failed' | 'payment_intent.canceled' | 'charge.refunded';
export const HANDLED_EVENT_TYPES: readonly PaymentEventType[] = ['payment_intent.succeeded', 'payment_intent.payment_failed', 'payment_intent.canceled', 'charge.refunded'];

export interface PaymentEvent {
  readonly id: string;
  /** Any type the provider sends; only HANDLED_EVENT_TYPES change anything. */
  readonly type: string;
  readonly createdAt: Date;
  readonly providerPaymentId: string | null;
  readonly orderId: string | null;
  readonly amountMinor: number;
  readonly amountReceivedMinor: number;
  readonly amountRefundedMinor: number;
  readonly failureReason: string | null;
}

export interface PaymentProvider {
  readonly name: 'stripe' | 'simulated';
  createIntent(input: { orderId: string; amountMinor: number; currency: string; idempotencyKey: string }): Promise<CreatedIntent>;
  cancel(providerPaymentId: string): Promise<void>;
  /**
   * Without `amountMinor`, refunds everything not yet refunded. The key and reason are kept on the
   * refund at the provider, so listing it later says it was ours.
   */
  refund(providerPaymentId: string, input: { amountMinor?: number; idempotencyKey: string; reason?: string }): Promise<ProviderRefund>;
  /**
   * Every refund of the payment that moved or is moving money (succeeded or pending; failed and
   * canceled ones are left out), whoever made it. Webhook payloads do not carry them (Stripe
   * dropped a charge's `refunds` from events in API 2022-11-15), so they are read here.
   */
  listRefunds(providerPaymentId: string): Promise<ListedRefund[]>;
  retrieve(providerPaymentId: string): Promise<ProviderIntent>;
  /**
   * Verifies the signature header over the exact raw body (with the timestamp tolerance) and parses
   * the event. Throws WebhookSignatureError for anything that does not verify.
   */
  parseWebhook(rawBody: Buffer, signatureHeader: string | undefined): PaymentEvent;
}

/** A signature that is missing, forged, for another body, or outside the tolerance window. */
export class WebhookSignatureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookSignatureError';
  }
}

/** The provider refused the request itself (bad amount, already cancelled…): retrying will not help. */
export class ProviderRejectedError extends Error {
  constructor(
    message: string,
    readonly providerCode: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderRejectedError';
  }
}
