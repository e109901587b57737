// The API representation of a product: decimal price, ISO dates, string ids. JSON-safe, so the
// cache stores it as is.
import { ratingStars } from '../../models/Product';
import type { ProductRecord } from '../../repositories/product.repository';
import { toImageViews, type MediaUrl, type ProductImageView } from '../media/view';
import { toHistogramView, type RatingHistogramView } from '../reviews/view';
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
  stock: number;
  images: ProductImageView[];
  ratingAverage: number;
  ratingCount: number;
  /** Published reviews per star. */
  ratingHistogram: RatingHistogramView;
  ratingStars: number;
  status: 'active' | 'draft';
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
  deletedBy?: string;
}

export function toProductView(record: ProductRecord, mediaUrl: MediaUrl): ProductView {
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
    ratingAverage: record.ratingAverage,
    ratingCount: record.ratingCount,
    ratingHistogram: toHistogramView(record.ratingHistogram),
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
    ratingHistogram: fields.includes('ratingHistogram') ? toHistogramView(record.ratingHistogram) : undefined,
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
