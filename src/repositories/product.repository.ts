// The only code that touches the Product model. Returns plain objects (lean); never throws HTTP errors.
import { rethrowDuplicateKey } from './errors';
import { Types, type ClientSession, type PipelineStage } from 'mongoose';
import type { ProductDoc, ProductModel } from '../models/Product';
import type { VariantRecord } from '../models/ProductVariant';
import type { MongoFilter, MongoSort } from './query.types';
import type { ProductImageRecord } from './product-image.repository';

export interface ProductRecord {
  _id: Types.ObjectId;
  name: string;
  slug: string;
  sku: string;
  description: string;
  priceMinor: number;
  currency: string;
  category: string;
  tags: string[];
  stock: number;
  /** Absent on products that never had an image. */
  images?: ProductImageRecord[];
  variants: VariantRecord[];
  priceMinMinor: number;
  priceMaxMinor: number;
  ratingAverage: number;
  ratingCount: number;
  status: 'active' | 'draft';
  deletedAt: Date | null;
  deletedBy: Types.ObjectId | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  score?: number;
}

export type NewProduct = Pick<ProductRecord, 'name' | 'sku' | 'priceMinor' | 'category'> &
  Partial<Pick<ProductRecord, 'slug' | 'description' | 'currency' | 'tags' | 'stock' | 'status' | 'ratingAverage' | 'ratingCount'>>;

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
  const lean = <T>(query: { lean(): unknown }) => query.lean() as unknown as Promise<T>;

  /**
   * Adds units back to one variant. The product's stock sum counts active variants only, so the
   * active case is tried first and the inactive one second; each is one conditional update, and with
   * a hold both require (and pull) it, so a release happens at most once.
   */
  async function giveBack(change: VariantStockChange, options: { hold?: { order: string; line: number | null; quantity: number }; session?: ClientSession | null }): Promise<boolean> {
    const variantId = new Types.ObjectId(change.variantId);
    const held = options.hold ? { stockHolds: { $elemMatch: options.hold } } : {};
    const pull = options.hold ? { $pull: { stockHolds: { order: options.hold.order, line: options.hold.line } } } : {};
    const write = { session: options.session ?? undefined, arrayFilters: [{ 'v._id': variantId }] };
    for (const active of [true, false]) {
      const result = await model.updateOne(
        { _id: change.productId, ...held, variants: { $elemMatch: { _id: variantId, active } } },
        { $inc: { 'variants.$[v].stock': change.quantity, ...(active && { stock: change.quantity }), version: 1 }, ...pull },
        write,
      );
      if (result.modifiedCount === 1) return true;
    }
    return false;
  }

  return {
    async create(input: NewProduct): Promise<ProductRecord> {
      const doc = await model.create(input as never as ProductDoc).catch(rethrowDuplicateKey);
      return (doc as unknown as { toObject(o: object): unknown }).toObject({ virtuals: false }) as ProductRecord;
    },

    findById(id: string): Promise<ProductRecord | null> {
      return lean<ProductRecord | null>(model.findById(id));
    },

    findBySlug(slug: string): Promise<ProductRecord | null> {
      return lean<ProductRecord | null>(model.findOne({ slug }).setOptions({ sanitizeFilter: true }));
    },

    async slugExists(slug: string): Promise<boolean> {
      return (await model.exists({ slug })) !== null;
    },

    findPage(input: FindPageInput): Promise<ProductRecord[]> {
      const query = model.find(input.filter, input.projection ?? undefined).sort(input.sort as never).skip(input.skip).limit(input.limit);
      return lean<ProductRecord[]>(query);
    },

    count(filter: MongoFilter): Promise<number> {
      return model.countDocuments(filter).exec();
    },

    /** Writes only when the stored version is the one the caller read; null when it is not (or gone). */
    updateIfVersion(id: string, expectedVersion: number, changes: ProductChanges): Promise<ProductRecord | null> {
      const query = model.findOneAndUpdate(
        { _id: id, version: expectedVersion, deletedAt: null },
        { $set: changes, $inc: { version: 1 } },
        { returnDocument: 'after', runValidators: true },
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
            categories: [{ $group: { _id: '$category', count: { $sum: 1 } } }, { $sort: { count: -1, _id: 1 } }],
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

    /**
     * Takes `quantity` units of one variant if, at this instant, the product is live and active and the
     * variant active with enough stock — one conditional single-document update (the filter checks,
     * arrayFilters pick the element), so concurrent buyers can never drive a variant below zero, and
     * the product's stock sum moves in the same write. With `hold` the reservation is also recorded
     * on the product (order id, line, variant, units) so it can be released once.
     */
    async reserveStock(change: VariantStockChange, options: { session?: ClientSession | null; hold?: { order: string; line: number } } = {}): Promise<boolean> {
      const { productId, variantId, quantity } = change;
      const update: Record<string, unknown> = { $inc: { 'variants.$[v].stock': -quantity, stock: -quantity, version: 1 } };
      if (options.hold) update.$push = { stockHolds: { order: options.hold.order, line: options.hold.line, variant: variantId, quantity } };
      const result = await model.updateOne(
        { _id: productId, deletedAt: null, status: 'active', variants: { $elemMatch: { _id: new Types.ObjectId(variantId), active: true, stock: { $gte: quantity } } } },
        update,
        { session: options.session ?? undefined, arrayFilters: [{ 'v._id': new Types.ObjectId(variantId) }] },
      );
      return result.modifiedCount === 1;
    },

    /** Gives back a held reservation; a no-op (false) when the hold was already released. */
    async releaseHold(hold: StockHold): Promise<boolean> {
      const held = { order: hold.order, line: hold.line, quantity: hold.quantity };
      if (hold.variantId) return giveBack({ productId: hold.productId, variantId: hold.variantId, quantity: hold.quantity }, { hold: held });
      const result = await model.updateOne(
        { _id: hold.productId, stockHolds: { $elemMatch: held }, 'variants.1': { $exists: false } },
        { $inc: { 'variants.0.stock': hold.quantity, stock: hold.quantity, version: 1 }, $pull: { stockHolds: { order: hold.order, line: hold.line } } },
      );
      return result.modifiedCount === 1;
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

    /**
     * Puts units back (a cancelled order), whatever the product's status: stock is physical. A line
     * from before variants (no variantId) goes to the product's only variant.
     */
    async restock(line: Omit<VariantStockChange, 'variantId'> & { variantId: string | null }, session?: ClientSession | null): Promise<void> {
      if (line.variantId) {
        await giveBack({ ...line, variantId: line.variantId }, { session });
        return;
      }
      await model.updateOne(
        { _id: line.productId, 'variants.0': { $exists: true }, 'variants.1': { $exists: false } },
        { $inc: { 'variants.0.stock': line.quantity, stock: line.quantity, version: 1 } },
        { session: session ?? undefined },
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
