// The cover of a top-products range: whole weeks and days inside it, hours at the edges, every hour
// of the range exactly once (whatever the time zone the range came from).
import fc from 'fast-check';
import { coverRange, SPAN_MS } from '../../src/repositories/analytics.spans';

const HOUR = 3_600_000;

function hoursOf(cover: ReturnType<typeof coverRange>): number[] {
  const out: number[] = [];
  for (const [a, b] of cover.hours) for (let t = a.getTime(); t < b.getTime(); t += HOUR) out.push(t);
  for (const s of cover.spans) for (let t = s.from.getTime(); t < s.to.getTime(); t += HOUR) out.push(t);
  return out.sort((x, y) => x - y);
}

describe('coverRange', () => {
  it('when a 90-day range starts at Berlin midnight, then it is read as weeks, days and the edge hours', () => {
    const from = new Date('2026-01-01T23:00:00Z');
    const to = new Date('2026-04-01T22:00:00Z');
    const cover = coverRange(from, to);
    expect(cover.hours.map(([a, b]) => [a.toISOString(), b.toISOString()])).toEqual([
      ['2026-01-01T23:00:00.000Z', '2026-01-02T00:00:00.000Z'],
      ['2026-04-01T00:00:00.000Z', '2026-04-01T22:00:00.000Z'],
    ]);
    for (const s of cover.spans) expect([s.from.getTime() % SPAN_MS[s.span], s.to.getTime() % SPAN_MS[s.span]]).toEqual([0, 0]);
    expect(cover.spans.filter((s) => s.span === 'week')).toHaveLength(1);
    expect(hoursOf(cover)).toHaveLength((to.getTime() - from.getTime()) / HOUR);
  });

  it('when any whole-hour range is covered, then each of its hours is counted exactly once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 * 400 }), fc.integer({ min: 0, max: 24 * 100 }), (startHour, length) => {
        const from = Date.UTC(2025, 11, 1) + startHour * HOUR;
        const cover = coverRange(new Date(from), new Date(from + length * HOUR));
        expect(hoursOf(cover)).toEqual(Array.from({ length }, (_, i) => from + i * HOUR));
      }),
      { seed: 19, numRuns: 300 },
    );
  });
});
