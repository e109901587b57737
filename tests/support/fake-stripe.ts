// A local stand-in for api.stripe.com: the real SDK talks to it through its host/port/protocol
// options, so requests (paths, idempotency keys, form bodies) are observed without any network.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedStripeRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  readonly form: URLSearchParams;
}

export interface FakeStripe {
  readonly port: number;
  readonly requests: RecordedStripeRequest[];
  /** While true every request answers 500 api_error (a provider outage). */
  failing: boolean;
  /** Most refunds one page of `GET /v1/refunds` holds (Stripe's `limit` caps it too), so pagination can be seen. */
  refundsPageSize: number;
  /** A refund made in Stripe's dashboard (no metadata of ours); `status` as Stripe lists it. */
  addDashboardRefund(paymentIntentId: string, amountMinor: number, options?: { status?: string; created?: number }): FakeStripeRefund;
  close(): Promise<void>;
}

export interface FakeStripeRefund {
  readonly id: string;
  readonly object: 'refund';
  readonly amount: number;
  readonly payment_intent: string;
  readonly status: string;
  readonly created: number;
  readonly metadata: Record<string, string>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const intents = new Map<string, Record<string, unknown>>();
  // Newest last; Stripe lists newest first.
  const refunds: FakeStripeRefund[] = [];
  let seq = 0;
  const addRefund = (paymentIntentId: string, amount: number, status: string, metadata: Record<string, string>, created = Math.floor(Date.now() / 1000)) => {
    const refund: FakeStripeRefund = { id: `re_fake_${++seq}`, object: 'refund', amount, payment_intent: paymentIntentId, status, created, metadata };
    refunds.push(refund);
    const intent = intents.get(paymentIntentId);
    if (intent && (status === 'succeeded' || status === 'pending')) {
      const charge = { id: `ch_${paymentIntentId}`, object: 'charge', amount: intent.amount, amount_refunded: amount + Number((intent.latest_charge as { amount_refunded?: number } | null)?.amount_refunded ?? 0) };
      intents.set(paymentIntentId, { ...intent, status: 'succeeded', latest_charge: charge });
    }
    return refund;
  };
  const fake: FakeStripe = {
    port: 0,
    requests: [],
    failing: false,
    refundsPageSize: 100,
    addDashboardRefund: (id, amount, options = {}) => addRefund(id, amount, options.status ?? 'succeeded', {}, options.created),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const form = new URLSearchParams(req.method === 'GET' ? url.search : raw);
      fake.requests.push({ method: req.method ?? '', path: url.pathname, idempotencyKey: req.headers['idempotency-key'] as string | undefined, form });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${++seq}` });
        res.end(JSON.stringify(body));
      };
      if (fake.failing) return send(500, { error: { type: 'api_error', message: 'fake outage' } });
      if (req.method === 'POST' && url.pathname === '/v1/payment_intents') {
        const id = `pi_fake_${++seq}`;
        const intent = { id, object: 'payment_intent', amount: Number(form.get('amount')), amount_received: 0, currency: form.get('currency'), status: 'requires_payment_method', client_secret: `${id}_secret_abc`, metadata: { orderId: form.get('metadata[orderId]') }, latest_charge: null };
        intents.set(id, intent);
        return send(200, intent);
      }
      if (req.method === 'POST' && url.pathname === '/v1/refunds') {
        const id = form.get('payment_intent')!;
        if (!intents.has(id)) intents.set(id, { id, object: 'payment_intent', amount: 0, currency: 'usd', status: 'succeeded', metadata: {}, latest_charge: null });
        const metadata = Object.fromEntries([...form.entries()].filter(([k]) => k.startsWith('metadata[')).map(([k, v]) => [k.slice(9, -1), v]));
        return send(200, addRefund(id, Number(form.get('amount') ?? intents.get(id)!.amount), 'succeeded', metadata));
      }
      if (req.method === 'GET' && url.pathname === '/v1/refunds') {
        const all = refunds.filter((r) => r.payment_intent === form.get('payment_intent')).reverse();
        const after = form.get('starting_after');
        const from = after ? all.findIndex((r) => r.id === after) + 1 : 0;
        const size = Math.min(Number(form.get('limit') ?? 10), fake.refundsPageSize);
        return send(200, { object: 'list', url: '/v1/refunds', data: all.slice(from, from + size), has_more: from + size < all.length });
      }
      const match = /^\/v1\/payment_intents\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && match && intents.has(match[1]!)) return send(200, intents.get(match[1]!));
      send(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such resource: ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (fake as { port: number }).port = (server.address() as AddressInfo).port;
  return fake;
}

/** Environment for an app whose Stripe provider talks to the fake. */
export function fakeStripeEnv(fake: FakeStripe, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_fakeStripe0123',
    STRIPE_WEBHOOK_SECRET: 'whsec_fake_stripe_secret_0123',
    STRIPE_API_HOST: '127.0.0.1',
    STRIPE_API_PORT: String(fake.port),
    STRIPE_API_PROTOCOL: 'http',
    ...extra,
  };
}
