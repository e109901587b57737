// What the API and the email show of a stored report: amounts in currency units (2 decimals).
import type { ReportFileKind } from '../../models/Report';
import type { ReportRecord } from '../../repositories/report.repository';

const units = (minor: number) => Math.round(minor) / 100;

export interface ReportSummaryView {
  readonly orders: number;
  readonly units: number;
  readonly gross: number;
  readonly refundedOrders: number;
  readonly refunds: number;
  readonly net: number;
  readonly averageOrderValue: number;
  readonly newCustomers: number;
  readonly currency: string | null;
}

export interface ReportView {
  readonly day: string;
  readonly timeZone: string;
  readonly from: string;
  readonly to: string;
  readonly createdAt: string;
  readonly summary: ReportSummaryView;
  readonly files: Record<ReportFileKind, { readonly rows: number; readonly bytes: number; readonly url: string }>;
}

export function reportView(report: ReportRecord): ReportView {
  const s = report.summary;
  const url = (kind: ReportFileKind) => `/api/v1/reports/${report.day}.csv${kind === 'orders' ? '' : `?kind=${kind}`}`;
  const file = (kind: ReportFileKind) => ({ rows: report.files[kind].rows, bytes: report.files[kind].bytes, url: url(kind) });
  return {
    day: report.day,
    timeZone: report.timeZone,
    from: new Date(report.from).toISOString(),
    to: new Date(report.to).toISOString(),
    createdAt: new Date(report.createdAt).toISOString(),
    summary: {
      orders: s.orders,
      units: s.units,
      gross: units(s.grossMinor),
      refundedOrders: s.refundedOrders,
      refunds: units(s.refundsMinor),
      net: units(s.netMinor),
      averageOrderValue: units(s.averageOrderValueMinor),
      newCustomers: s.newCustomers,
      currency: report.currency,
    },
    files: { orders: file('orders'), products: file('products') },
  };
}
