// Arranges products straight through the model (with chosen ids and dates) for the products tests.
import { Types } from 'mongoose';
import { defaultVariant, summarizeVariants } from '../../src/models/ProductVariant';
import { Product } from '../support/models';

export interface FixtureProduct {
  name: string;
  price: number;
  tags?: string[];
  category?: string;
  description?: string;
  status?: 'active' | 'draft';
  stock?: number;
  ratingAverage?: number;
  deleted?: boolean;
  createdAt?: Date;
}

let skuCounter = 0;

/** Inserts in order with increasing ObjectIds, so `_id` tie-breaks are predictable. Returns ids in input order. */
export async function insertProducts(items: readonly FixtureProduct[]): Promise<string[]> {
  const base = Date.UTC(2026, 0, 1);
  const docs = items.map((item, i) => {
    skuCounter += 1;
    const createdAt = item.createdAt ?? new Date(base + i * 60_000);
    // As migrated and as created through the API: one default variant holding the product's stock.
    const variants = [defaultVariant(`FIX-${skuCounter}`, item.stock ?? 10)];
    return {
      variants,
      ...summarizeVariants(variants, Math.round(item.price * 100)),
      _id: new Types.ObjectId(),
      name: item.name,
      slug: `${item.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}-${skuCounter}`,
      sku: `FIX-${skuCounter}`,
      description: item.description ?? '',
      priceMinor: Math.round(item.price * 100),
      currency: 'USD',
      category: item.category ?? 'phones',
      tags: item.tags ?? [],
      stock: item.stock ?? 10,
      ratingAverage: item.ratingAverage ?? 4,
      ratingCount: 10,
      status: item.status ?? 'active',
      deletedAt: item.deleted ? new Date(base) : null,
      deletedBy: item.deleted ? new Types.ObjectId() : null,
      version: 1,
      createdAt,
      updatedAt: createdAt,
    };
  });
  await Product.collection.insertMany(docs);
  return docs.map((d) => d._id.toHexString());
}

export async function clearProducts(): Promise<void> {
  await Product.deleteMany({});
}
