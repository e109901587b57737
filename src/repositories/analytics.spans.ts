// How top-products/top-categories cover a range with few documents: whole 7-day blocks ("week",
// epoch-aligned, so Thursday 00:00 UTC) and whole UTC days from `sales_span_rollups` for the
// interior, hourly rollups for the edges. Instants only: a range in any time zone is already whole
// UTC hours, and every span is whole UTC hours, so the cover sums exactly the hours of the range.
import type { SalesSpanRollupDoc } from '../models/SalesRollup';

export type Span = SalesSpanRollupDoc['span'];

const HOUR_MS = 3_600_000;
export const SPAN_MS: Readonly<Record<Span, number>> = { week: 7 * 24 * HOUR_MS, day: 24 * HOUR_MS };
/** Widest first: the cover takes the widest spans that fit, then narrower ones at the edges. */
export const SPANS: readonly Span[] = ['week', 'day'];

export interface Cover {
  /** [from, to) ranges of hourly documents. */
  readonly hours: readonly (readonly [Date, Date])[];
  /** [from, to) ranges of span starts, per span. */
  readonly spans: readonly { readonly span: Span; readonly from: Date; readonly to: Date }[];
}

export function spanStart(span: Span, at: Date): Date {
  return new Date(Math.floor(at.getTime() / SPAN_MS[span]) * SPAN_MS[span]);
}

/** Splits [from, to) (whole UTC hours) into whole spans, widest first, and the hours left over. */
export function coverRange(from: Date, to: Date): Cover {
  const spans: { span: Span; from: Date; to: Date }[] = [];
  let rest: [number, number][] = [[from.getTime(), to.getTime()]];
  for (const span of SPANS) {
    const ms = SPAN_MS[span];
    const next: [number, number][] = [];
    for (const [a, b] of rest) {
      const first = Math.ceil(a / ms) * ms;
      const last = Math.floor(b / ms) * ms;
      if (first >= last) {
        next.push([a, b]);
        continue;
      }
      spans.push({ span, from: new Date(first), to: new Date(last) });
      if (a < first) next.push([a, first]);
      if (last < b) next.push([last, b]);
    }
    rest = next;
  }
  return { hours: rest.filter(([a, b]) => a < b).map(([a, b]) => [new Date(a), new Date(b)] as const), spans };
}
