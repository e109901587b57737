// The API representation of a cart, recomputed from the catalog on every read: current unit prices,
// line totals and the subtotal, with per-line flags for what changed since the line was added (the
// price), what can no longer be bought (the product or variant is gone or off sale) and what the
// stock cannot cover. Pure: the service passes the cart and the products its lines name.
import type { CartRecord } from '../../repositories/cart.repository';
import type { ProductRecord } from '../../repositories/product.repository';
import { fromMinorUnits } from '../query-engine';

export interface CartLineView {
  productId: string;
  variantId: string;
  name: string;
  sku: string;
  optionValues: Record<string, string>;
  quantity: number;
  /** The catalog's price now (the last known price when the line is unavailable). */
  unitPrice: number;
  /** The price when the line was added or its quantity last set. */
  addedUnitPrice: number;
  lineTotal: number;
  /** Units the variant has in stock now (0 when unavailable). */
  availableQuantity: number;
  flags: { priceChanged: boolean; unavailable: boolean; stockShort: boolean };
}

export interface CartView {
  items: CartLineView[];
  itemCount: number;
  /** Sum over the lines that can be bought, at current prices. */
  subtotal: number;
  currency: string | null;
  /** True when the cart has lines and none is flagged unavailable or short. */
  canCheckout: boolean;
  version: number;
  expiresAt: string | null;
  updatedAt: string | null;
}

export function toCartView(cart: CartRecord | null, catalog: readonly ProductRecord[]): CartView {
  const products = new Map(catalog.map((p) => [p._id.toString(), p]));
  let subtotalMinor = 0;
  const items = (cart?.lines ?? []).map((line): CartLineView => {
    const product = products.get(line.product.toString());
    const variant = product?.variants?.find((v) => v._id.toString() === line.variant.toString());
    const sellable = Boolean(product && variant && !product.deletedAt && product.status === 'active' && variant.active && product.currency === line.currency);
    const unitMinor = sellable ? (variant!.priceMinor ?? product!.priceMinor) : line.unitPriceMinor;
    const available = sellable ? variant!.stock : 0;
    if (sellable) subtotalMinor += unitMinor * line.quantity;
    return {
      productId: line.product.toString(),
      variantId: line.variant.toString(),
      name: product?.name ?? line.name,
      sku: variant?.sku ?? line.sku,
      optionValues: Object.fromEntries((variant?.optionValues ?? []).map((o) => [o.name, o.value])),
      quantity: line.quantity,
      unitPrice: fromMinorUnits(unitMinor),
      addedUnitPrice: fromMinorUnits(line.unitPriceMinor),
      lineTotal: fromMinorUnits(unitMinor * line.quantity),
      availableQuantity: available,
      flags: { priceChanged: sellable && unitMinor !== line.unitPriceMinor, unavailable: !sellable, stockShort: sellable && available < line.quantity },
    };
  });
  return {
    items,
    itemCount: items.reduce((sum, i) => sum + i.quantity, 0),
    subtotal: fromMinorUnits(subtotalMinor),
    currency: cart?.lines[0]?.currency ?? null,
    canCheckout: items.length > 0 && items.every((i) => !i.flags.unavailable && !i.flags.stockShort),
    version: cart?.version ?? 0,
    expiresAt: cart ? new Date(cart.expiresAt).toISOString() : null,
    updatedAt: cart ? new Date(cart.updatedAt).toISOString() : null,
  };
}
