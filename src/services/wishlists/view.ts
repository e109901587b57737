// The API representation of a wishlist: each item joined with the catalog as it is now (name,
// variant SKU and options, current price, availability). Products a customer may no longer see
// (draft, deleted) show no catalog data, exactly as they would read in the catalog.
import type { ProductRecord } from '../../repositories/product.repository';
import type { WishlistItemRecord, WishlistRecord } from '../../repositories/wishlist.repository';
import { fromMinorUnits } from '../query-engine';

/** in_stock: orderable now; out_of_stock: for sale, none left; unavailable: no longer sold (or the variant is gone). */
export type Availability = 'in_stock' | 'out_of_stock' | 'unavailable';

export interface WishlistItemView {
  productId: string;
  variantId: string;
  addedAt: string;
  availability: Availability;
  /** Null when the product is no longer listed. */
  name: string | null;
  slug: string | null;
  currency: string | null;
  /** Null when the product is no longer listed or the variant is gone or inactive. */
  sku: string | null;
  optionValues: Record<string, string> | null;
  price: number | null;
  stock: number | null;
}

export interface WishlistView {
  notifyBackInStock: boolean;
  itemCount: number;
  maxItems: number;
  items: WishlistItemView[];
}

export function isListed(product: ProductRecord | undefined): product is ProductRecord {
  return Boolean(product && product.status === 'active' && !product.deletedAt);
}

export function toItemView(item: WishlistItemRecord, product: ProductRecord | undefined): WishlistItemView {
  const listed = isListed(product) ? product : undefined;
  const variant = listed?.variants?.find((v) => v._id.toString() === item.variantId && v.active);
  const availability: Availability = !variant ? 'unavailable' : variant.stock > 0 ? 'in_stock' : 'out_of_stock';
  return {
    productId: item.productId,
    variantId: item.variantId,
    addedAt: new Date(item.addedAt).toISOString(),
    availability,
    name: listed?.name ?? null,
    slug: listed?.slug ?? null,
    currency: listed?.currency ?? null,
    sku: variant?.sku ?? null,
    optionValues: variant ? Object.fromEntries(variant.optionValues.map((o) => [o.name, o.value])) : null,
    price: variant && listed ? fromMinorUnits(variant.priceMinor ?? listed.priceMinor) : null,
    stock: variant?.stock ?? null,
  };
}

export function toWishlistView(record: WishlistRecord | null, catalog: readonly ProductRecord[], maxItems: number): WishlistView {
  const byId = new Map(catalog.map((p) => [p._id.toString(), p]));
  const items = (record?.items ?? []).map((item) => toItemView(item, byId.get(item.productId)));
  return { notifyBackInStock: record?.notifyBackInStock ?? true, itemCount: items.length, maxItems, items };
}
