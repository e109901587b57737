import { SCENARIOS, selectScenarios, type Fixtures } from '../../bench/scenarios';

describe('bench scenario selection (BENCH_ONLY)', () => {
  const keys = (only?: string[]) => selectScenarios(SCENARIOS, only).map((s) => s.key);

  it('when nothing is named, then every scenario runs', () => {
    expect(keys()).toEqual(SCENARIOS.map((s) => s.key));
    expect(keys([])).toEqual(SCENARIOS.map((s) => s.key));
  });

  it('when a group prefix is named, then every scenario of the group runs, in bench order (the tenth before the full count)', () => {
    expect(keys(['analytics'])).toEqual(['analytics-sales-tenth', 'analytics-sales', 'analytics-top-products']);
  });

  it('when an exact key is named, then only it runs', () => {
    expect(keys(['analytics-top-products'])).toEqual(['analytics-top-products']);
    expect(keys(['health', 'login'])).toEqual(['health', 'login']);
  });

  it('when a name is only part of a key, then nothing matches it', () => {
    expect(keys(['analy'])).toEqual([]);
  });
});

describe('bench checkout scenario', () => {
  const checkout = SCENARIOS.find((s) => s.key === 'checkout')!;
  const fixtures = {
    shopperTokens: Array.from({ length: 30 }, (_, i) => `token-${i}`),
    checkoutLines: [
      { productId: 'p1', variantId: 'v1' },
      { productId: 'p2', variantId: 'v2' },
    ],
  } as unknown as Fixtures;

  it('when every connection is between its add-to-cart and its checkout, then no two of them act as the same customer', () => {
    const [add, pay] = checkout.sequence!(fixtures);
    const contexts = Array.from({ length: checkout.connections! }, () => ({}) as Record<string, unknown>);
    const added = contexts.map((context) => add!.setup(context));
    const tokens = added.map((request) => request.headers!.authorization);
    expect(new Set(tokens).size).toBe(contexts.length);
    // The checkout is sent as the same customer, with a key of its own, and gives the customer back.
    const paid = contexts.map((context) => pay!.setup(context));
    expect(paid.map((request) => request.headers!.authorization)).toEqual(tokens);
    expect(new Set(paid.map((request) => request.headers!['idempotency-key'])).size).toBe(contexts.length);
    contexts.forEach((context) => pay!.onResponse!(201, context));
    const again = Array.from({ length: 30 }, () => add!.setup({}).headers!.authorization);
    expect(new Set(again).size).toBe(30);
  });

  it('buys one unit of the fixture lines in turn', () => {
    const [add] = checkout.sequence!(fixtures);
    const bodies = [add!.setup({}), add!.setup({}), add!.setup({})].map((request) => JSON.parse(request.body!) as Record<string, unknown>);
    expect(bodies).toEqual([
      { productId: 'p1', variantId: 'v1', quantity: 1 },
      { productId: 'p2', variantId: 'v2', quantity: 1 },
      { productId: 'p1', variantId: 'v1', quantity: 1 },
    ]);
  });
});
