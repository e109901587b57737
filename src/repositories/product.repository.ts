// The only code that touches the Product model. Returns plain objects (lean); never throws HTTP errors.
import { rethrowDuplicateKey } from './errors';
import { Types, type ClientSession, type PipelineStage } from 'mongoose';
import type { ProductDoc, ProductModel } from '../models/Product';
import type { MongoFilter, MongoSort } from './query.types';

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

export type ProductChanges = Partial<Omit<NewProduct, 'ratingAverage' | 'ratingCount'>>;

/** One order's reservation of one product's stock, recorded until the order is saved or given up. */
export interface StockHold {
  readonly productId: string;
  readonly order: string;
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
              { $bucket: { groupBy: '$priceMinor', boundaries: [...boundariesMinor], default: 'above', output: { count: { $sum: 1 } } } },
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
     * Takes `quantity` units if, at this instant, the product is live, active and has enough stock —
     * one conditional update, so concurrent buyers can never drive stock below zero. With `hold`
     * (the placing order's id) the reservation is also recorded on the product so it can be released once.
     */
    async reserveStock(id: string, quantity: number, options: { session?: ClientSession | null; hold?: string } = {}): Promise<boolean> {
      const update: Record<string, unknown> = { $inc: { stock: -quantity, version: 1 } };
      if (options.hold) update.$push = { stockHolds: { order: options.hold, quantity } };
      const result = await model.updateOne({ _id: id, stock: { $gte: quantity }, deletedAt: null, status: 'active' }, update, {
        session: options.session ?? undefined,
      });
      return result.modifiedCount === 1;
    },

    /** Gives back a held reservation; a no-op (false) when the hold was already released. */
    async releaseHold(id: string, quantity: number, hold: string): Promise<boolean> {
      const result = await model.updateOne(
        { _id: id, stockHolds: { $elemMatch: { order: hold, quantity } } },
        { $inc: { stock: quantity, version: 1 }, $pull: { stockHolds: { order: hold } } },
      );
      return result.modifiedCount === 1;
    },

    /** The order that held these reservations was saved: the stock stays taken, the holds go. */
    async clearHolds(ids: readonly string[], hold: string): Promise<void> {
      await model.updateMany({ _id: { $in: ids }, 'stockHolds.order': hold }, { $pull: { stockHolds: { order: hold } } });
    },

    /** Holds placed before `before` (by the order id's timestamp): placements that never finished. */
    async findHoldsPlacedBefore(before: Date, limit: number): Promise<StockHold[]> {
      const docs = await lean<{ _id: Types.ObjectId; stockHolds?: { order: string; quantity: number }[] }[]>(
        model.find({ 'stockHolds.order': { $lt: Types.ObjectId.createFromTime(Math.floor(before.getTime() / 1000)).toHexString() } }).select('+stockHolds').limit(limit),
      );
      return docs.flatMap((doc) =>
        (doc.stockHolds ?? [])
          .filter((h) => Types.ObjectId.isValid(h.order) && new Types.ObjectId(h.order).getTimestamp() < before)
          .map((h) => ({ productId: doc._id.toString(), order: h.order, quantity: h.quantity })),
      );
    },

    /** Puts units back (a cancelled order), whatever the product's status: stock is physical. */
    async restock(id: string, quantity: number, session?: ClientSession | null): Promise<void> {
      await model.updateOne({ _id: id }, { $inc: { stock: quantity, version: 1 } }, { session: session ?? undefined });
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
