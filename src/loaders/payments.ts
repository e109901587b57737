// Composition of the payment side of orders: the configured provider behind its guard (timeout,
// retries, breaker), the payment service, the cart and checkout. Part of the composition root
// (createServices calls it); split out so the container stays readable.
import type { AppConfig } from '../config';
import type { Outbox } from '../services/outbox/outbox.service';
import { createCartService } from '../services/cart/cart.service';
import { createCheckoutService } from '../services/checkout.service';
import type { OrderEvents } from '../services/orders/events';
import type { OrderService } from '../services/orders/order.service';
import { createPaymentService } from '../services/payments/payment.service';
import type { PaymentProvider } from '../services/payments/provider';
import { createProviderGuard } from '../services/payments/resilience';
import { createSimulatedProvider, httpWebhookDelivery, type SimulatedProvider } from '../services/payments/simulated-provider';
import { createStripeProvider } from '../services/payments/stripe-provider';
import type { Repositories } from './container';

export interface PaymentsDeps {
  readonly config: AppConfig;
  readonly repositories: Pick<Repositories, 'orders' | 'products' | 'carts' | 'payments' | 'webhookEvents' | 'simulatedIntents'>;
  /** Built first; its `settleBeforeCancel` reaches these payments through a late-bound closure. */
  readonly orders: OrderService;
  readonly orderEvents: OrderEvents;
  readonly outbox: Outbox;
  /** Replaces the configured provider (tests: a failing provider for the breaker). */
  readonly paymentProvider?: PaymentProvider;
}

/** The configured provider; `simulated` is the unguarded instance behind it, for the dev confirm step. */
function buildPaymentProvider(config: AppConfig, repositories: PaymentsDeps['repositories']): { provider: PaymentProvider; simulated: SimulatedProvider | null } {
  const p = config.payments;
  if (p.provider === 'stripe') {
    const { secretKey, host, port, protocol } = p.stripe;
    // Config validation requires the key whenever the provider is stripe.
    return { provider: createStripeProvider({ secretKey: secretKey!, webhookSecret: p.webhookSecret, webhookToleranceSeconds: p.webhookToleranceSeconds, timeoutMs: p.timeoutMs, host, port, protocol }), simulated: null };
  }
  const simulated = createSimulatedProvider({
    intents: repositories.simulatedIntents,
    webhookSecret: p.webhookSecret,
    webhookToleranceSeconds: p.webhookToleranceSeconds,
    deliver: httpWebhookDelivery(p.simulatedWebhookUrl, p.timeoutMs),
  });
  return { provider: simulated, simulated };
}

export function createPayments(deps: PaymentsDeps) {
  const { config, repositories, orders, outbox } = deps;
  const paymentGuard = createProviderGuard(config.payments);
  const built = deps.paymentProvider ? { provider: deps.paymentProvider, simulated: null } : buildPaymentProvider(config, repositories);
  const payments = createPaymentService({
    provider: paymentGuard.wrap(built.provider),
    guard: paymentGuard,
    simulated: built.simulated,
    orders: repositories.orders,
    payments: repositories.payments,
    webhookEvents: repositories.webhookEvents,
    events: deps.orderEvents,
    outbox,
    cancelUnpaid: (id, reason, options) => orders.cancelUnpaid(id, reason, options),
    failPayment: (id, reason) => orders.failPayment(id, reason),
  });

  const cart = createCartService({ carts: repositories.carts, products: repositories.products, ttlDays: config.orders.cartTtlDays });
  const checkout = createCheckoutService({
    carts: repositories.carts,
    orders,
    payments,
    // Like an idempotency claim: a checkout still running (within its request deadline) is never taken over.
    claimLeaseMs: config.http.requestTimeoutMs + 10_000,
  });

  return { payments, paymentGuard, cart, checkout };
}
