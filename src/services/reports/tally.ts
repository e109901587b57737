// Folds a day's orders into the report: one CSV row per counted movement (a sale, a refund record,
// the full refund or cancel that takes a sale out), the summary and the per-product sales. Pure (no I/O), so the rules are unit-tested without a database.
import type { OrderRecord } from '../../repositories/order.repository';
import type { ReportSummaryDoc } from '../../models/Report';
import { averageOrderValueMinor } from '../../models/SalesRollup';
import { localDateTime, type DayWindow } from '../../utils/zoned-day';
import { spreadsheetSafe } from '../inventory/csv';
import { countedIn, type Counted } from './sales-rule';

export type TallyOrder = Pick<OrderRecord, '_id' | 'account' | 'items' | 'totalMinor' | 'currency' | 'status' | 'statusHistory' | 'payment' | 'createdAt'>;

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
  /** The provider's refund id when the row is a refund record; null for a sale or a full refund / cancel. */
  readonly refundId: string | null;
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

export const ORDER_COLUMNS = ['orderId', 'counted', 'at', 'localTime', 'status', 'accountId', 'units', 'amount', 'currency', 'placedAt', 'refundId'] as const;
export const PRODUCT_COLUMNS = ['sku', 'productId', 'name', 'unitsSold', 'gross', 'unitsRefunded', 'refunds', 'netUnits', 'net', 'currency'] as const;

const money = (minor: number) => (minor / 100).toFixed(2);

export function createTally(window: DayWindow) {
  const totals = { orders: 0, units: 0, grossMinor: 0, refundedOrders: 0, refundsMinor: 0 };
  const products = new Map<string, ProductLine>();
  const buyers = new Set<string>();
  const currencies = new Set<string>();

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
    /** The rows `order` contributes to the day (sales, refunds, or none), counted as they are yielded. */
    *rowsOf(order: TallyOrder): Generator<OrderRow> {
      let refunded = false;
      for (const movement of countedIn(order, window.from, window.to)) {
        currencies.add(order.currency);
        if (movement.counted === 'sale') {
          totals.orders += 1;
          totals.units += movement.units;
          totals.grossMinor += movement.amountMinor;
          buyers.add(String(order.account));
        } else {
          if (!refunded) totals.refundedOrders += 1;
          refunded = true;
          totals.refundsMinor -= movement.amountMinor;
        }
        if (movement.movesLines) addLines(order, movement.counted);
        yield {
          orderId: String(order._id),
          counted: movement.counted,
          at: movement.at,
          status: order.status,
          accountId: String(order.account),
          units: movement.units,
          amountMinor: movement.amountMinor,
          currency: order.currency,
          placedAt: new Date(order.createdAt),
          refundId: movement.refundId,
        };
      }
    },

    /** Accounts with a sale in the day (the candidates for new customers). */
    buyers: () => [...buyers],
    currencies: () => [...currencies],

    summary(newCustomers: number): ReportSummaryDoc {
      const { orders, grossMinor, refundsMinor } = totals;
      return { ...totals, netMinor: grossMinor - refundsMinor, averageOrderValueMinor: averageOrderValueMinor(grossMinor, orders), newCustomers };
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
  return [row.orderId, row.counted, row.at.toISOString(), localDateTime(row.at, timeZone), row.status, row.accountId, String(row.units), money(row.amountMinor), row.currency, row.placedAt.toISOString(), row.refundId ?? ''];
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
