// The API representation of a product: decimal price, ISO dates, string ids. JSON-safe, so the
// cache stores it as is.
import { ratingStars } from '../../models/Product';
import type { ProductRecord } from '../../repositories/product.repository';
import { toImageViews, type MediaUrl, type ProductImageView } from '../media/view';
import type { VariantRecord } from '../../models/ProductVariant';
import { fromMinorUnits, type ProjectableField } from '../query-engine';

export interface ProductView {
  id: string;
  name: string;
  slug: string;
  sku: string;
  description: string;
  price: number;
  currency: string;
  category: string;
  tags: string[];
  /** The sum over active variants. */
  stock: number;
  images: ProductImageView[];
  priceRange: { min: number; max: number };
  options: { name: string; values: string[] }[];
  variants: VariantView[];
  ratingAverage: number;
  ratingCount: number;
  ratingStars: number;
  status: 'active' | 'draft';
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
  deletedBy?: string;
}

export interface VariantView {
  id: string;
  sku: string;
  optionValues: Record<string, string>;
  price: number;
  /** True when the variant has no price of its own and follows the product's. */
  inheritsPrice: boolean;
  stock: number;
  active: boolean;
}

export function toVariantView(v: VariantRecord, basePriceMinor: number): VariantView {
  return {
    id: v._id.toString(),
    sku: v.sku,
    optionValues: Object.fromEntries(v.optionValues.map((o) => [o.name, o.value])),
    price: fromMinorUnits(v.priceMinor ?? basePriceMinor),
    inheritsPrice: v.priceMinor === null || v.priceMinor === undefined,
    stock: v.stock,
    active: v.active,
  };
}

/** The product's options, in the order their names and values first appear across its variants. */
export function optionsOf(variants: readonly VariantRecord[]): { name: string; values: string[] }[] {
  const options = new Map<string, string[]>();
  for (const v of variants) {
    for (const { name, value } of v.optionValues) {
      const values = options.get(name) ?? [];
      if (!values.includes(value)) values.push(value);
      options.set(name, values);
    }
  }
  return [...options].map(([name, values]) => ({ name, values }));
}

function priceRangeOf(record: Pick<ProductRecord, 'priceMinor' | 'priceMinMinor' | 'priceMaxMinor'>): { min: number; max: number } {
  return { min: fromMinorUnits(record.priceMinMinor ?? record.priceMinor), max: fromMinorUnits(record.priceMaxMinor ?? record.priceMinor) };
}

export function toProductView(record: ProductRecord, mediaUrl: MediaUrl): ProductView {
  const variants = record.variants ?? [];
  const view: ProductView = {
    id: record._id.toString(),
    name: record.name,
    slug: record.slug,
    sku: record.sku,
    description: record.description,
    price: fromMinorUnits(record.priceMinor),
    currency: record.currency,
    category: record.category,
    tags: record.tags,
    stock: record.stock,
    images: toImageViews(record.images, mediaUrl),
    priceRange: priceRangeOf(record),
    options: optionsOf(variants),
    variants: variants.map((v) => toVariantView(v, record.priceMinor)),
    ratingAverage: record.ratingAverage,
    ratingCount: record.ratingCount,
    ratingStars: ratingStars(record.ratingAverage),
    status: record.status,
    version: record.version,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
  // Only staff can ever see a deleted product, so these fields never reach the public.
  if (record.deletedAt) {
    view.deletedAt = new Date(record.deletedAt).toISOString();
    if (record.deletedBy) view.deletedBy = record.deletedBy.toString();
  }
  return view;
}

/** A projected record → only the requested fields (plus id, and deletedAt when set). */
export function toPartialView(record: ProductRecord, fields: readonly ProjectableField[]): Partial<ProductView> {
  const out: Partial<ProductView> = { id: record._id.toString() };
  const full: Record<string, unknown> = {
    ...record,
    price: record.priceMinor === undefined ? undefined : fromMinorUnits(record.priceMinor),
    ratingStars: record.ratingAverage === undefined ? undefined : ratingStars(record.ratingAverage),
    priceRange: record.priceMinMinor === undefined ? undefined : priceRangeOf(record),
    options: record.variants === undefined ? undefined : optionsOf(record.variants),
    variants: record.variants === undefined ? undefined : record.variants.map((v) => toVariantView(v, record.priceMinor)),
  };
  for (const field of fields) {
    const value = full[field];
    (out as Record<string, unknown>)[field] = value instanceof Date ? value.toISOString() : value;
  }
  if (record.deletedAt) out.deletedAt = new Date(record.deletedAt).toISOString();
  return out;
}

export function isVisibleTo(view: Pick<ProductView, 'status' | 'deletedAt'>, isStaff: boolean): boolean {
  return isStaff || (view.status === 'active' && !view.deletedAt);
}
