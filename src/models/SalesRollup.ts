// Hourly sales rollups (`sales_rollups`): one document per UTC hour, maintained incrementally by the
// worker's analytics consumer and recomputable from orders (`npm run analytics:rebuild`). Analytics
// queries read O(hours in range) of these, never orders. `analytics_applied_events` is the ledger of
// events already folded in (keyed by event id), written in the same transaction as the $inc.
import { Schema, type Connection, type Model } from 'mongoose';
import './deadline.plugin';

export interface SalesRollupDoc {
  hour: Date;
  orders: number;
  units: number;
  grossMinor: number;
  refundsMinor: number;
  netMinor: number;
  averageOrderValueMinor: number;
  newCustomers: number;
  products: Record<string, { units: number; revenueMinor: number }>;
  categories: Record<string, { units: number; revenueMinor: number }>;
}

/** The summed figures of an hour (what an `$inc` adds; the average is derived from them). */
export const ROLLUP_SUMS = ['orders', 'units', 'grossMinor', 'refundsMinor', 'netMinor', 'newCustomers'] as const;

/** gross / orders, rounded; 0 without orders — the stored `averageOrderValueMinor`, and the report's. */
export function averageOrderValueMinor(grossMinor: number, orders: number): number {
  return orders > 0 ? Math.round(grossMinor / orders) : 0;
}

/** Figures to add to an hour as one `$inc`: the sums and one dotted field per product and category figure. */
export function rollupIncrement(figures: Pick<SalesRollupDoc, (typeof ROLLUP_SUMS)[number] | 'products' | 'categories'>): Record<string, number> {
  const inc: Record<string, number> = Object.fromEntries(ROLLUP_SUMS.map((f) => [f, figures[f]]));
  for (const field of ['products', 'categories'] as const) {
    for (const [key, v] of Object.entries(figures[field])) Object.assign(inc, { [`${field}.${key}.units`]: v.units, [`${field}.${key}.revenueMinor`]: v.revenueMinor });
  }
  return inc;
}

const salesRollupSchema = new Schema<SalesRollupDoc>(
  {
    hour: { type: Date, required: true },
    orders: { type: Number, default: 0 },
    units: { type: Number, default: 0 },
    grossMinor: { type: Number, default: 0 },
    refundsMinor: { type: Number, default: 0 },
    netMinor: { type: Number, default: 0 },
    averageOrderValueMinor: { type: Number, default: 0 },
    newCustomers: { type: Number, default: 0 },
    // Maps keyed by product id / encoded category name: { units, revenueMinor } each.
    products: { type: Schema.Types.Mixed, default: {} },
    categories: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false, collection: 'sales_rollups' },
);
// Every analytics query is a range scan on this index.
salesRollupSchema.index({ hour: 1 }, { unique: true });

/**
 * Per-product and per-category sums over a longer span than an hour (`day`: a UTC day; `week`: 7 UTC
 * days from an epoch-aligned Thursday), kept in step with the hourly documents (same $inc, same
 * transaction) so top-products/top-categories read a few wide documents for the interior of a range
 * and hourly ones only at its edges. Always the sum of the hourly documents of the span.
 */
export interface SalesSpanRollupDoc {
  span: 'day' | 'week';
  start: Date;
  products: Record<string, { units: number; revenueMinor: number }>;
  categories: Record<string, { units: number; revenueMinor: number }>;
}

const salesSpanRollupSchema = new Schema<SalesSpanRollupDoc>(
  {
    span: { type: String, required: true, enum: ['day', 'week'] },
    start: { type: Date, required: true },
    products: { type: Schema.Types.Mixed, default: {} },
    categories: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false, collection: 'sales_span_rollups' },
);
salesSpanRollupSchema.index({ span: 1, start: 1 }, { unique: true });

export interface AppliedEventDoc {
  _id: string;
  appliedAt: Date;
}

const appliedEventSchema = new Schema<AppliedEventDoc>(
  { _id: { type: String, required: true }, appliedAt: { type: Date, required: true } },
  { versionKey: false, collection: 'analytics_applied_events' },
);

export type SalesRollupModel = Model<SalesRollupDoc>;
export type AppliedEventModel = Model<AppliedEventDoc>;
export type SalesSpanRollupModel = Model<SalesSpanRollupDoc>;

export function salesSpanRollupModel(connection: Connection): SalesSpanRollupModel {
  return (connection.models.SalesSpanRollup as SalesSpanRollupModel | undefined) ?? connection.model<SalesSpanRollupDoc>('SalesSpanRollup', salesSpanRollupSchema);
}

export function salesRollupModel(connection: Connection): SalesRollupModel {
  return (connection.models.SalesRollup as SalesRollupModel | undefined) ?? connection.model<SalesRollupDoc>('SalesRollup', salesRollupSchema);
}

export function appliedEventModel(connection: Connection): AppliedEventModel {
  return (connection.models.AnalyticsAppliedEvent as AppliedEventModel | undefined) ?? connection.model<AppliedEventDoc>('AnalyticsAppliedEvent', appliedEventSchema);
}
