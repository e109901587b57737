// Arranges catalogs for the inventory tests straight through the collection (fast, any size).
import { Types } from 'mongoose';
import { optionTag, summarizeVariants, type VariantRecord } from '../../src/models/ProductVariant';
import { Product } from '../support/models';

export interface FixtureVariant {
  sku: string;
  stock: number;
  size?: string;
  active?: boolean;
}

function variant(v: FixtureVariant): VariantRecord {
  const optionValues = v.size ? [{ name: 'size', value: v.size }] : [];
  return { _id: new Types.ObjectId(), sku: v.sku, optionValues, optionTags: optionValues.map((o) => optionTag(o.name, o.value)), priceMinor: null, stock: v.stock, active: v.active ?? true };
}

let seq = 0;

/** One product per entry, with these variants; returns the product ids. */
export async function insertCatalog(products: readonly (readonly FixtureVariant[])[], options: { deleted?: boolean } = {}): Promise<string[]> {
  const docs = products.map((variants) => {
    seq += 1;
    const built = variants.map(variant);
    return {
      _id: new Types.ObjectId(),
      name: `Inventory Tee ${seq}`,
      slug: `inventory-tee-${seq}-${new Types.ObjectId().toHexString()}`,
      sku: built[0].sku,
      description: '',
      priceMinor: 2000,
      currency: 'EUR',
      category: 'apparel',
      categoryPath: ['apparel'],
      tags: [],
      variants: built,
      ...summarizeVariants(built, 2000),
      ratingAverage: 0,
      ratingCount: 0,
      status: 'active',
      deletedAt: options.deleted ? new Date() : null,
      deletedBy: null,
      version: 1,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
  });
  for (let i = 0; i < docs.length; i += 5000) await Product.collection.insertMany(docs.slice(i, i + 5000), { ordered: false });
  return docs.map((d) => d._id.toHexString());
}

/** A unique SKU prefix per test, so tests never touch each other's variants. */
export function skuPrefix(label: string): string {
  return `${label}-${new Types.ObjectId().toHexString().slice(-8)}`.toUpperCase();
}
