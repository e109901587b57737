import { SCENARIOS, selectScenarios } from '../../bench/scenarios';

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
