// The API representation of an order: decimal money, ISO dates, string ids.
import { CANCELLABLE_STATUSES, type OrderStatus, type PaymentStatus } from '../../models/Order';
import type { AddressRecord, OrderRecord } from '../../repositories/order.repository';
import { fromMinorUnits } from '../query-engine';

export interface OrderItemView {
  productId: string;
  /** Absent on lines ordered before variants existed. */
  variantId?: string;
  name: string;
  sku: string;
  optionValues: Record<string, string>;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

export interface OrderView {
  id: string;
  accountId: string;
  status: OrderStatus;
  items: OrderItemView[];
  itemCount: number;
  subtotal: number;
  total: number;
  currency: string;
  shippingAddress: AddressRecord;
  statusHistory: { status: OrderStatus; at: string; by: string | null; reason?: string }[];
  isCancellable: boolean;
  /** Present on orders paid through the payment provider. */
  payment?: { provider: string; providerPaymentId: string; amount: number; refunded: number; status: PaymentStatus; failureReason?: string };
  shipment?: { carrier: string; trackingNumber: string; shippedAt: string };
  version: number;
  createdAt: string;
  updatedAt: string;
}

function address(a: AddressRecord): AddressRecord {
  const { fullName, line1, line2, city, region, postalCode, country, phone } = a;
  return { fullName, line1, city, postalCode, country, ...(line2 && { line2 }), ...(region && { region }), ...(phone && { phone }) };
}

export function toOrderView(r: OrderRecord): OrderView {
  return {
    id: r._id.toString(),
    accountId: r.account.toString(),
    status: r.status,
    items: r.items.map((i) => ({
      productId: i.product.toString(),
      ...(i.variant && { variantId: i.variant.toString() }),
      name: i.name,
      sku: i.sku,
      optionValues: Object.fromEntries((i.optionValues ?? []).map((o) => [o.name, o.value])),
      unitPrice: fromMinorUnits(i.unitPriceMinor),
      quantity: i.quantity,
      lineTotal: fromMinorUnits(i.lineTotalMinor),
    })),
    itemCount: r.items.reduce((sum, i) => sum + i.quantity, 0),
    subtotal: fromMinorUnits(r.subtotalMinor),
    total: fromMinorUnits(r.totalMinor),
    currency: r.currency,
    shippingAddress: address(r.shippingAddress),
    statusHistory: r.statusHistory.map((h) => ({
      status: h.status,
      at: new Date(h.at).toISOString(),
      by: h.by ? h.by.toString() : null,
      ...(h.reason && { reason: h.reason }),
    })),
    isCancellable: CANCELLABLE_STATUSES.includes(r.status),
    ...(r.payment && {
      payment: {
        provider: r.payment.provider,
        providerPaymentId: r.payment.providerPaymentId,
        amount: fromMinorUnits(r.payment.amountMinor),
        refunded: fromMinorUnits(r.payment.refundedMinor ?? 0),
        status: r.payment.status,
        ...(r.payment.failureReason && { failureReason: r.payment.failureReason }),
      },
    }),
    ...(r.shipment && { shipment: { carrier: r.shipment.carrier, trackingNumber: r.shipment.trackingNumber, shippedAt: new Date(r.shipment.shippedAt).toISOString() } }),
    version: r.version,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}
