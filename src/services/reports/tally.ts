// Folds a day's orders into the report: one CSV row per counted change, the summary and the
// per-product sales. Pure (no I/O), so the rules are unit-tested without a database.
import type { OrderRecord } from '../../repositories/order.repository';
import type { ReportSummaryDoc } from '../../models/Report';
import { localDateTime, type DayWindow } from '../../utils/zoned-day';
import { spreadsheetSafe } from '../inventory/csv';
import { countedAs, type Counted } from './sales-rule';

export type TallyOrder = Pick<OrderRecord, '_id' | 'account' | 'items' | 'totalMinor' | 'currency' | 'status' | 'statusHistory' | 'createdAt'>;

export interface OrderRow {
  readonly orderId: string;
  readonly counted: Counted;
  readonly at: Date;
  readonly status: string;
  readonly accountId: string;
  readonly units: number;
  /** Signed: a refund is negative, so the column sums to the net revenue. */
  readonly amountMinor: number;
  readonly currency: string;
  readonly placedAt: Date;
}

export interface ProductLine {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  unitsSold: number;
  grossMinor: number;
  unitsRefunded: number;
  refundsMinor: number;
}

export const ORDER_COLUMNS = ['orderId', 'counted', 'at', 'localTime', 'status', 'accountId', 'units', 'amount', 'currency', 'placedAt'] as const;
export const PRODUCT_COLUMNS = ['sku', 'productId', 'name', 'unitsSold', 'gross', 'unitsRefunded', 'refunds', 'netUnits', 'net', 'currency'] as const;

const money = (minor: number) => (minor / 100).toFixed(2);

export function createTally(window: DayWindow) {
  const totals = { orders: 0, units: 0, grossMinor: 0, refundedOrders: 0, refundsMinor: 0 };
  const products = new Map<string, ProductLine>();
  const buyers = new Set<string>();
  const currencies = new Set<string>();
  const inDay = (at: Date) => at >= window.from && at < window.to;

  function addLines(order: TallyOrder, counted: Counted): void {
    for (const item of order.items) {
      const key = `${String(item.product)}:${item.sku}`;
      let line = products.get(key);
      if (!line) products.set(key, (line = { productId: String(item.product), sku: item.sku, name: item.name, unitsSold: 0, grossMinor: 0, unitsRefunded: 0, refundsMinor: 0 }));
      if (counted === 'sale') {
        line.unitsSold += item.quantity;
        line.grossMinor += item.lineTotalMinor;
      } else {
        line.unitsRefunded += item.quantity;
        line.refundsMinor += item.lineTotalMinor;
      }
    }
  }

  return {
    /** The rows `order` contributes to the day (a sale, a refund, both, or none), counted as they are yielded. */
    *rowsOf(order: TallyOrder): Generator<OrderRow> {
      for (const change of order.statusHistory) {
        const at = new Date(change.at);
        if (!inDay(at)) continue;
        const counted = countedAs(order, change);
        if (!counted) continue;
        const units = order.items.reduce((sum, item) => sum + item.quantity, 0);
        currencies.add(order.currency);
        if (counted === 'sale') {
          totals.orders += 1;
          totals.units += units;
          totals.grossMinor += order.totalMinor;
          buyers.add(String(order.account));
        } else {
          totals.refundedOrders += 1;
          totals.refundsMinor += order.totalMinor;
        }
        addLines(order, counted);
        yield {
          orderId: String(order._id),
          counted,
          at,
          status: order.status,
          accountId: String(order.account),
          units,
          amountMinor: counted === 'sale' ? order.totalMinor : -order.totalMinor,
          currency: order.currency,
          placedAt: new Date(order.createdAt),
        };
      }
    },

    /** Accounts with a sale in the day (the candidates for new customers). */
    buyers: () => [...buyers],
    currencies: () => [...currencies],

    summary(newCustomers: number): ReportSummaryDoc {
      const { orders, grossMinor, refundsMinor } = totals;
      return { ...totals, netMinor: grossMinor - refundsMinor, averageOrderValueMinor: orders ? Math.round(grossMinor / orders) : 0, newCustomers };
    },

    /** Per product and SKU, best net revenue first. */
    productLines(): ProductLine[] {
      return [...products.values()].sort((a, b) => b.grossMinor - b.refundsMinor - (a.grossMinor - a.refundsMinor) || a.sku.localeCompare(b.sku));
    },
  };
}

export type Tally = ReturnType<typeof createTally>;

/** A CSV record of ORDER_COLUMNS; text cells a spreadsheet could read as a formula are defused. */
export function orderCsvRecord(row: OrderRow, timeZone: string): string[] {
  return [row.orderId, row.counted, row.at.toISOString(), localDateTime(row.at, timeZone), row.status, row.accountId, String(row.units), money(row.amountMinor), row.currency, row.placedAt.toISOString()];
}

export function productCsvRecord(line: ProductLine, currency: string | null): string[] {
  return [
    spreadsheetSafe(line.sku),
    line.productId,
    spreadsheetSafe(line.name),
    String(line.unitsSold),
    money(line.grossMinor),
    String(line.unitsRefunded),
    money(line.refundsMinor),
    String(line.unitsSold - line.unitsRefunded),
    money(line.grossMinor - line.refundsMinor),
    currency ?? '',
  ];
}
