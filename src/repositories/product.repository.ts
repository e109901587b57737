// The only code that touches the Product model. Returns plain objects (lean); never throws HTTP errors.
import { rethrowDuplicateKey } from './errors';
import { isValidObjectId, Types, type ClientSession, type PipelineStage } from 'mongoose';
import type { ProductDoc, ProductModel } from '../models/Product';
import type { VariantRecord } from '../models/ProductVariant';
import type { MongoFilter, MongoSort } from './query.types';
import type { ProductImageRecord } from './product-image.repository';
import { countMatching, hiddenFields, lean, readMany, readOne } from './lean';

export interface ProductRecord {
  _id: Types.ObjectId;
  name: string;
  slug: string;
  sku: string;
  description: string;
  priceMinor: number;
  currency: string;
  category: string;
  /** Slugs from the root category down to `category`; absent on products not yet migrated to the tree. */
  categoryPath?: string[];
  tags: string[];
  stock: number;
  /** Absent on products that never had an image. */
  images?: ProductImageRecord[];
  variants: VariantRecord[];
  priceMinMinor: number;
  priceMaxMinor: number;
  ratingAverage: number;
  ratingCount: number;
  /** Published reviews per star [1★ … 5★]; absent on products written before reviews existed. */
  ratingHistogram?: number[];
  status: 'active' | 'draft';
  deletedAt: Date | null;
  deletedBy: Types.ObjectId | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  score?: number;
}

export type NewProduct = Pick<ProductRecord, 'name' | 'sku' | 'priceMinor' | 'category'> &
  Partial<Pick<ProductRecord, 'slug' | 'categoryPath' | 'description' | 'currency' | 'tags' | 'stock' | 'status' | 'ratingAverage' | 'ratingCount'>>;

export type ProductChanges = Partial<Omit<NewProduct, 'ratingAverage' | 'ratingCount'>> &
  Partial<Pick<ProductRecord, 'variants' | 'priceMinMinor' | 'priceMaxMinor'>>;

/** One line's stock change: which variant of which product, how many. */
export interface VariantStockChange {
  readonly productId: string;
  readonly variantId: string;
  readonly quantity: number;
}

/** One order line's reservation of one variant's stock, recorded until the order is saved or given up. */
export interface StockHold {
  readonly productId: string;
  readonly order: string;
  /** The order line and variant; null on holds written before variants (they belong to the only variant). */
  readonly line: number | null;
  readonly variantId: string | null;
  readonly quantity: number;
}

/** A stock alert event kept on the product until it is in the outbox (written with the stock change). */
export interface StockAlertRecord {
  readonly id: string;
  readonly type: string;
  readonly aggregateId: string;
  readonly payload: Record<string, unknown>;
  readonly at: Date;
}

export interface FindPageInput {
  readonly filter: MongoFilter;
  readonly sort: MongoSort;
  readonly projection: Record<string, unknown> | null;
  readonly skip: number;
  readonly limit: number;
}

export interface FacetCounts {
  total: number;
  categories: { value: string; count: number }[];
  tags: { value: string; count: number }[];
  priceBuckets: { min: number; max: number | null; count: number }[];
}

export type ProductRepository = ReturnType<typeof createProductRepository>;

export function createProductRepository(model: ProductModel) {
  // What a read without a projection leaves out (stock holds, alerts, import marks), as Mongoose would.
  const hidden = hiddenFields(model);

  return {
    /** `session`: the transaction that also holds the product's category (services/categories). */
    async create(input: NewProduct, session?: ClientSession | null): Promise<ProductRecord> {
      const doc = new model(input as never as ProductDoc);
      await doc.save({ session: session ?? undefined }).catch(rethrowDuplicateKey);
      return doc.toObject({ virtuals: false }) as unknown as ProductRecord;
    },

    findById(id: string): Promise<ProductRecord | null> {
      if (!isValidObjectId(id)) return Promise.resolve(null);
      return readOne<ProductRecord>(model, { _id: new Types.ObjectId(id) }, hidden);
    },

    findBySlug(slug: string): Promise<ProductRecord | null> {
      return lean<ProductRecord | null>(model.findOne({ slug }).setOptions({ sanitizeFilter: true }));
    },

    async slugExists(slug: string): Promise<boolean> {
      return (await model.exists({ slug })) !== null;
    },

    findPage(input: FindPageInput): Promise<ProductRecord[]> {
      return readMany<ProductRecord>(model, input.filter, { projection: input.projection ?? hidden, sort: input.sort, skip: input.skip, limit: input.limit });
    },

    count(filter: MongoFilter): Promise<number> {
      return countMatching(model, filter);
    },

    /**
     * Writes only when the stored version is the one the caller read; null when it is not (or gone).
     * `stockAlerts`: alert events of this write's stock changes, stored with it (services/stock).
     */
    updateIfVersion(id: string, expectedVersion: number, changes: ProductChanges, session?: ClientSession | null, stockAlerts: readonly StockAlertRecord[] = []): Promise<ProductRecord | null> {
      const query = model.findOneAndUpdate(
        { _id: id, version: expectedVersion, deletedAt: null },
        { $set: changes, $inc: { version: 1 }, ...(stockAlerts.length && { $push: { stockAlerts: { $each: stockAlerts } } }) },
        { returnDocument: 'after', runValidators: true, session: session ?? undefined },
      );
      return lean<ProductRecord | null>(query).catch(rethrowDuplicateKey);
    },

    /** Sets deletedAt/deletedBy once; null when there was nothing live to delete. */
    softDelete(id: string, deletedBy: string): Promise<ProductRecord | null> {
      const query = model.findOneAndUpdate(
        { _id: id, deletedAt: null },
        { $set: { deletedAt: new Date(), deletedBy: new Types.ObjectId(deletedBy) }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      );
      return lean<ProductRecord | null>(query);
    },

    restore(id: string): Promise<ProductRecord | null> {
      const query = model.findOneAndUpdate(
        { _id: id, deletedAt: { $ne: null } },
        { $set: { deletedAt: null, deletedBy: null }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      );
      return lean<ProductRecord | null>(query);
    },

    /** Counts per category, top tags and price buckets in one `$facet` over the list filter. */
    async facets(filter: MongoFilter, tagLimit: number, boundariesMinor: readonly number[]): Promise<FacetCounts> {
      const pipeline: PipelineStage[] = [
        { $match: filter },
        {
          $facet: {
            total: [{ $count: 'n' }],
            // Per category including its descendants: a product counts for every slug on its path.
            categories: [{ $unwind: '$categoryPath' }, { $group: { _id: '$categoryPath', count: { $sum: 1 } } }, { $sort: { count: -1, _id: 1 } }],
            tags: [{ $unwind: '$tags' }, { $group: { _id: '$tags', count: { $sum: 1 } } }, { $sort: { count: -1, _id: 1 } }, { $limit: tagLimit }],
            prices: [
              { $bucket: { groupBy: '$priceMinMinor', boundaries: [...boundariesMinor], default: 'above', output: { count: { $sum: 1 } } } },
            ],
          },
        },
      ];
      const [row] = await model.aggregate<{
        total: { n: number }[];
        categories: { _id: string; count: number }[];
        tags: { _id: string; count: number }[];
        prices: { _id: number | 'above'; count: number }[];
      }>(pipeline);
      const last = boundariesMinor[boundariesMinor.length - 1];
      return {
        total: row?.total[0]?.n ?? 0,
        categories: (row?.categories ?? []).map((c) => ({ value: c._id, count: c.count })),
        tags: (row?.tags ?? []).map((t) => ({ value: t._id, count: t.count })),
        priceBuckets: (row?.prices ?? []).map((b) => {
          if (b._id === 'above') return { min: last, max: null, count: b.count };
          const next = boundariesMinor[boundariesMinor.indexOf(b._id) + 1];
          return { min: b._id, max: next ?? null, count: b.count };
        }),
      };
    },

    // --- stock (used by orders) -----------------------------------------------------------
    // A stock change bumps `version`: PATCH /products may set `stock` absolutely, and a manager's
    // write based on a read from before a sale must get 409 instead of silently undoing the sale.

    findManyByIds(ids: readonly string[], session?: ClientSession | null): Promise<ProductRecord[]> {
      return lean<ProductRecord[]>(model.find({ _id: { $in: ids } }).session(session ?? null));
    },

    /** The order that held these reservations was saved: the stock stays taken, the holds go. */
    async clearHolds(ids: readonly string[], hold: string): Promise<void> {
      await model.updateMany({ _id: { $in: ids }, 'stockHolds.order': hold }, { $pull: { stockHolds: { order: hold } } });
    },

    /** Holds placed before `before` (by the order id's timestamp): placements that never finished. */
    async findHoldsPlacedBefore(before: Date, limit: number): Promise<StockHold[]> {
      const docs = await lean<{ _id: Types.ObjectId; stockHolds?: { order: string; line?: number; variant?: string; quantity: number }[] }[]>(
        model.find({ 'stockHolds.order': { $lt: Types.ObjectId.createFromTime(Math.floor(before.getTime() / 1000)).toHexString() } }).select('+stockHolds').limit(limit),
      );
      return docs.flatMap((doc) =>
        (doc.stockHolds ?? [])
          .filter((h) => Types.ObjectId.isValid(h.order) && new Types.ObjectId(h.order).getTimestamp() < before)
          .map((h) => ({ productId: doc._id.toString(), order: h.order, line: h.line ?? null, variantId: h.variant ?? null, quantity: h.quantity })),
      );
    },

    /** Products still without variants (created before variants existed), a batch at a time. */
    findWithoutVariants(limit: number): Promise<Pick<ProductRecord, '_id' | 'sku' | 'stock' | 'priceMinor'>[]> {
      return lean(model.find({ variants: { $exists: false } }, { sku: 1, stock: 1, priceMinor: 1 }).sort({ _id: 1 }).limit(limit));
    },

    countWithoutVariants(): Promise<number> {
      return model.countDocuments({ variants: { $exists: false } }).exec();
    },

    /** Sets the variants of a product that has none; false when another run already did. */
    async setInitialVariants(id: Types.ObjectId, changes: Pick<ProductRecord, 'variants' | 'stock' | 'priceMinMinor' | 'priceMaxMinor'>): Promise<boolean> {
      const result = await model.updateOne({ _id: id, variants: { $exists: false } }, { $set: changes }).catch(rethrowDuplicateKey);
      return result.modifiedCount === 1;
    },

    countAll(): Promise<number> {
      return model.estimatedDocumentCount().exec();
    },

    /** Bulk insert for the seed; documents are validated by the model first. */
    async insertMany(docs: readonly (NewProduct & { createdAt?: Date; updatedAt?: Date })[]): Promise<number> {
      const prepared = await Promise.all(
        docs.map(async (d) => {
          const doc = new model(d);
          await doc.validate();
          return { ...doc.toObject({ virtuals: false }), createdAt: d.createdAt, updatedAt: d.updatedAt ?? d.createdAt };
        }),
      );
      // The native insert keeps the seed's own createdAt (Mongoose timestamps would overwrite it).
      const result = await model.collection.insertMany(prepared, { ordered: false });
      return result.insertedCount;
    },

    /** `npm run seed -- --reset` only: removes every product, deleted ones included. */
    async deleteAll(): Promise<number> {
      return (await model.deleteMany({}).exec()).deletedCount;
    },
  };
}
