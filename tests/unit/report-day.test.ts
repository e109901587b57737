// The daily report's day windows in a time zone (DST days, half-hour zones, a skipped midnight) and
// the one rule of what an order counts in a day (the rollups' rule: sales, refund records, residuals).
import { countedIn, COUNTED_STATUSES } from '../../src/services/reports/sales-rule';
import { createTally } from '../../src/services/reports/tally';
import { addDays, dayWindow, isCalendarDay, localDateTime, localDayOf, previousDay } from '../../src/utils/zoned-day';
import { Types } from 'mongoose';

const iso = (d: Date) => d.toISOString();
const hours = (w: { from: Date; to: Date }) => (w.to.getTime() - w.from.getTime()) / 3_600_000;

describe('dayWindow', () => {
  it('when the zone is UTC, then the day is midnight to midnight UTC', () => {
    const w = dayWindow('2026-03-10', 'UTC');
    expect([iso(w.from), iso(w.to)]).toEqual(['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z']);
  });

  it('when Berlin springs forward, then the day has 23 hours; when it falls back, 25', () => {
    const spring = dayWindow('2026-03-29', 'Europe/Berlin');
    expect([iso(spring.from), iso(spring.to), hours(spring)]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23]);
    const autumn = dayWindow('2026-10-25', 'Europe/Berlin');
    expect([iso(autumn.from), iso(autumn.to), hours(autumn)]).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25]);
  });

  it('when the zone is behind UTC or on a half hour, then the window shifts by its offset', () => {
    expect(iso(dayWindow('2026-03-08', 'America/New_York').from)).toBe('2026-03-08T05:00:00.000Z');
    expect(hours(dayWindow('2026-03-08', 'America/New_York'))).toBe(23);
    expect(iso(dayWindow('2026-01-01', 'Asia/Kolkata').from)).toBe('2025-12-31T18:30:00.000Z');
  });

  it('when a DST jump skips local midnight, then the day starts at the jump', () => {
    // São Paulo, 2018-11-04: 00:00 became 01:00 (UTC−3 → UTC−2).
    const w = dayWindow('2018-11-04', 'America/Sao_Paulo');
    expect(iso(w.from)).toBe('2018-11-04T03:00:00.000Z');
    expect(localDayOf(w.from, 'America/Sao_Paulo')).toBe('2018-11-04');
    expect(localDayOf(new Date(w.from.getTime() - 1), 'America/Sao_Paulo')).toBe('2018-11-03');
  });

  it('when consecutive days are built, then their windows tile time with no gap or overlap', () => {
    let day = '2026-03-25';
    for (let i = 0; i < 10; i += 1) {
      const next = addDays(day, 1);
      expect(dayWindow(day, 'Europe/Berlin').to).toEqual(dayWindow(next, 'Europe/Berlin').from);
      day = next;
    }
  });
});

describe('previousDay, localDateTime, isCalendarDay', () => {
  it('when it is 00:30 in Berlin (23:30 UTC), then the previous Berlin day is the UTC day itself', () => {
    const now = new Date('2026-03-10T23:30:00Z');
    expect(previousDay(now, 'Europe/Berlin')).toBe('2026-03-10');
    expect(previousDay(now, 'UTC')).toBe('2026-03-09');
    expect(previousDay(new Date('2026-01-01T00:15:00Z'), 'UTC')).toBe('2025-12-31');
    expect(localDateTime(now, 'Europe/Berlin')).toBe('2026-03-11 00:30:00');
  });

  it('when a string is not a real date, then it is not a calendar day', () => {
    expect(['2026-02-28', '2024-02-29'].map(isCalendarDay)).toEqual([true, true]);
    expect(['2026-02-29', '2026-13-01', '2026-1-01', '20260101', ''].map(isCalendarDay)).toEqual([false, false, false, false, false]);
  });
});

describe('what an order counts in a day', () => {
  const at = (s: string) => new Date(s);
  const day = dayWindow('2026-03-10', 'UTC');
  const item = { product: new Types.ObjectId(), name: 'W', sku: 'W-1', unitPriceMinor: 250, quantity: 2, lineTotalMinor: 500 };
  const refund = (id: string, amountMinor: number, when: string) => ({ providerRefundId: id, amountMinor, at: at(when), idempotencyKey: id });
  // With `refunds` (even none): an order paid through the provider; without: a staff order paid out of band.
  const order = (changes: [string, string][], refunds?: ReturnType<typeof refund>[]) => ({
    _id: new Types.ObjectId(),
    account: new Types.ObjectId(),
    items: [item],
    totalMinor: 500,
    currency: 'EUR',
    status: changes.at(-1)![0] as never,
    createdAt: at('2026-03-09T10:00:00Z'),
    statusHistory: changes.map(([status, when]) => ({ status: status as never, at: at(when), by: null })),
    ...(refunds && { payment: { refunds } as never }),
  });
  const counted = (o: ReturnType<typeof order>) => countedIn(o, day.from, day.to).map((m) => [m.counted, m.amountMinor, m.units, m.refundId]);

  it('when an order becomes paid, then a sale; cancelled after paid without refund records (paid out of band), a refund of its total; cancelled unpaid, shipped, delivered: nothing', () => {
    expect(counted(order([['pending', '2026-03-10T09:00:00Z'], ['paid', '2026-03-10T09:01:00Z'], ['cancelled', '2026-03-10T10:00:00Z']]))).toEqual([
      ['sale', 500, 2, null],
      ['refund', -500, 2, null],
    ]);
    expect(counted(order([['pending', '2026-03-10T09:00:00Z'], ['cancelled', '2026-03-10T10:00:00Z']]))).toEqual([]);
    expect(counted(order([['paid', '2026-03-09T09:00:00Z'], ['shipped', '2026-03-10T09:00:00Z'], ['delivered', '2026-03-10T11:00:00Z']]))).toEqual([]);
    expect(COUNTED_STATUSES).toEqual(['paid', 'refunded', 'cancelled']);
  });

  it('when a paid order is refunded in part, then in full, then cancelled, then each refund record counts its amount and the full refund only takes the units out', () => {
    const o = order(
      [['awaiting_payment', '2026-03-10T09:00:00Z'], ['paid', '2026-03-10T09:01:00Z'], ['partially_refunded', '2026-03-10T10:00:00Z'], ['refunded', '2026-03-10T12:00:00Z'], ['cancelled', '2026-03-10T12:05:00Z']],
      [refund('re_1', 100, '2026-03-10T10:00:00Z'), refund('re_2', 400, '2026-03-10T12:00:00Z')],
    );
    expect(counted(o)).toEqual([
      ['sale', 500, 2, null],
      ['refund', -100, 0, 're_1'],
      ['refund', 0, 2, null],
      ['refund', -400, 0, 're_2'],
    ]);
  });

  it('when a delivered order is refunded in part (a return), then the refund counts on its day and the sale stays; a declined payment counts nothing', () => {
    const returned = order([['paid', '2026-03-08T09:00:00Z'], ['shipped', '2026-03-08T12:00:00Z'], ['delivered', '2026-03-09T12:00:00Z']], [refund('re_r', 250, '2026-03-10T15:00:00Z')]);
    expect(counted(returned)).toEqual([['refund', -250, 0, 're_r']]);
    expect(counted(order([['awaiting_payment', '2026-03-10T09:00:00Z'], ['payment_failed', '2026-03-10T09:01:00Z']]))).toEqual([]);
  });

  it('when a refund record falls outside the day, then it does not count here; a later cancel moves the units and the rest it refunds is its own row', () => {
    const o = order(
      [['paid', '2026-03-09T09:00:00Z'], ['partially_refunded', '2026-03-09T10:00:00Z'], ['cancelled', '2026-03-10T08:00:00Z']],
      [refund('re_1', 100, '2026-03-09T10:00:00Z'), refund('re_2', 400, '2026-03-10T08:00:00Z')],
    );
    expect(counted(o)).toEqual([['refund', 0, 2, null], ['refund', -400, 0, 're_2']]);
  });

  it('when an order paid through the provider is refunded in full before its record is written, then its refunded change moves no money — the record will', () => {
    expect(counted(order([['paid', '2026-03-10T09:00:00Z'], ['refunded', '2026-03-10T10:00:00Z']], []))).toEqual([['sale', 500, 2, null], ['refund', 0, 2, null]]);
  });

  it('when a tally folds orders, then movements outside the window are skipped, net = gross − refunds and an order with several refunds is one refunded order', () => {
    const tally = createTally(day);
    const paidBefore = order([['paid', '2026-03-09T10:00:00Z'], ['cancelled', '2026-03-10T10:00:00Z']]);
    const paidOnDay = order([['paid', '2026-03-10T23:59:59Z']]);
    const paidAfter = order([['paid', '2026-03-11T00:00:00Z']]);
    const twoRefunds = order([['paid', '2026-03-09T10:00:00Z'], ['partially_refunded', '2026-03-10T10:00:00Z']], [refund('re_a', 50, '2026-03-10T10:00:00Z'), refund('re_b', 70, '2026-03-10T11:00:00Z')]);
    const rows = [paidBefore, paidOnDay, paidAfter, twoRefunds].flatMap((o) => [...tally.rowsOf(o)]);
    expect(rows.map((r) => [r.counted, r.amountMinor, r.refundId])).toEqual([['refund', -500, null], ['sale', 500, null], ['refund', -50, 're_a'], ['refund', -70, 're_b']]);
    expect(tally.summary(1)).toEqual({ orders: 1, units: 2, grossMinor: 500, refundedOrders: 2, refundsMinor: 620, netMinor: -120, averageOrderValueMinor: 500, newCustomers: 1 });
    // Refund records name no lines: per-product figures move with sales, full refunds and cancels only (as in the rollups).
    expect(tally.productLines()).toEqual([expect.objectContaining({ sku: 'W-1', unitsSold: 2, unitsRefunded: 2, grossMinor: 500, refundsMinor: 500 })]);
  });
});
