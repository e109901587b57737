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
  close(): Promise<void>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const intents = new Map<string, Record<string, unknown>>();
  let seq = 0;
  const fake: FakeStripe = {
    port: 0,
    requests: [],
    failing: false,
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
        const intent = intents.get(id) ?? { id, object: 'payment_intent', amount: 0, currency: 'usd', status: 'succeeded', metadata: {} };
        const amount = Number(form.get('amount') ?? intent.amount);
        const charge = { id: `ch_${id}`, object: 'charge', amount: intent.amount, amount_refunded: amount + Number((intent.latest_charge as { amount_refunded?: number } | null)?.amount_refunded ?? 0) };
        intents.set(id, { ...intent, status: 'succeeded', latest_charge: charge });
        return send(200, { id: `re_fake_${++seq}`, object: 'refund', amount, payment_intent: id, status: 'succeeded' });
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
