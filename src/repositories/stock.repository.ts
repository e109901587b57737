// The stock writes of the catalog: one conditional update of one variant's stock (and the product's
// stock sum), the read its caller retries from, and SKU lookup. Only services/stock/ uses this, so
// every stock change passes the one place that detects back-in-stock and low-stock crossings.
// Reads and writes the Product model (variants are embedded); returns plain objects.
import { Types, type ClientSession } from 'mongoose';
import type { ProductModel } from '../models/Product';
import type { VariantRecord } from '../models/ProductVariant';
import type { ProductRecord, StockAlertRecord } from './product.repository';
import { lean } from './lean';

/**
 * Which stock values a write applies to: `atLeast` (a reservation never goes below zero), and a
 * half-open band `[lo, hi)` the stock must be `inside` or `outside`.
 */
export interface StockCondition {
  readonly atLeast?: number;
  readonly inside?: readonly [number, number];
  readonly outside?: readonly [number, number];
}

/** One conditional change of one variant's stock (see `writeVariantStock`). */
export interface VariantStockWrite {
  readonly productId: string;
  readonly variantId: string;
  readonly delta: number;
  /** The variant's active flag as the caller expects it: the product's stock sum counts active variants only. */
  readonly active: boolean;
  readonly stock: StockCondition;
  /** Reservations: the product must be live and for sale at this instant. */
  readonly sellable?: boolean;
  /** A hold that must still be there; it is pulled with the change (so it is released once). */
  readonly releases?: { readonly order: string; readonly line: number | null; readonly quantity: number };
  /** A hold recorded with the change (a reservation). */
  readonly records?: { readonly order: string; readonly line: number; readonly quantity: number };
  /** Compare-and-set on the product's version (a crossing write knows its post-image in advance). */
  readonly expectVersion?: number;
  /** Alert events stored on the product in the same update (moved to the outbox right after). */
  readonly alerts?: readonly StockAlertRecord[];
}

/** A product as one stock write leaves it: the fields alert events carry, and the one variant. */
export interface VariantStockImage {
  readonly productId: string;
  readonly name: string;
  readonly slug: string;
  readonly priceMinor: number;
  readonly currency: string;
  /** Live and active: what a reservation requires. */
  readonly sellable: boolean;
  readonly version: number;
  readonly variant: VariantRecord;
}

export interface VariantStockState extends VariantStockImage {
  /** Whether the hold asked about is still on the product. */
  readonly holdPresent: boolean;
}

type StoredImage = Pick<ProductRecord, '_id' | 'name' | 'slug' | 'priceMinor' | 'currency' | 'status' | 'deletedAt' | 'version'> & { variants?: VariantRecord[] };

function imageProjection(variantId: Types.ObjectId): Record<string, unknown> {
  return { name: 1, slug: 1, priceMinor: 1, currency: 1, status: 1, deletedAt: 1, version: 1, variants: { $elemMatch: { _id: variantId } } };
}

function toImage(doc: StoredImage | null): VariantStockImage | null {
  const variant = doc?.variants?.[0];
  if (!doc || !variant) return null;
  return {
      productId: doc._id.toString(),
      name: doc.name,
      slug: doc.slug,
      priceMinor: doc.priceMinor,
      currency: doc.currency,
      sellable: doc.status === 'active' && !doc.deletedAt,
      version: doc.version,
      variant,
    };
  }

  /** The variant's `stock` filter, or nothing when the condition is empty (`stock: {}` would mean "equals {}"). */
  function stockCondition(c: StockCondition): Record<string, unknown> {
    const filter: Record<string, unknown> = {};
    const floor = Math.max(c.atLeast ?? 0, c.inside?.[0] ?? 0);
    if (floor > 0) filter.$gte = floor;
    if (c.inside) filter.$lt = c.inside[1];
    if (c.outside) filter.$not = { $gte: c.outside[0], $lt: c.outside[1] };
    return Object.keys(filter).length ? { stock: filter } : {};
  }

  export type StockRepository = ReturnType<typeof createStockRepository>;

  export function createStockRepository(model: ProductModel) {

    return {
    /**
     * The one conditional write of a variant's stock (services/stock/stock.service.ts decides what
     * to ask for; nothing else changes stock). Applies `delta` to the variant, and to the product's
     * stock sum when the variant is active, only if at this instant the variant is as `write`
     * expects (active flag, stock condition, hold present, product for sale) — one single-document
     * `findOneAndUpdate`, so concurrent writers never interleave. Returns the post-image (product
     * summary fields and this one variant), or null when the filter matched nothing.
     */
    async writeVariantStock(write: VariantStockWrite, session?: ClientSession | null): Promise<VariantStockImage | null> {
      const variantId = new Types.ObjectId(write.variantId);
      const filter: Record<string, unknown> = {
        _id: write.productId,
        variants: { $elemMatch: { _id: variantId, active: write.active, ...stockCondition(write.stock) } },
      };
      if (write.sellable) Object.assign(filter, { deletedAt: null, status: 'active' });
      if (write.expectVersion !== undefined) filter.version = write.expectVersion;
      if (write.releases) filter.stockHolds = { $elemMatch: write.releases };
      const update: Record<string, unknown> = { $inc: { 'variants.$[v].stock': write.delta, ...(write.active && { stock: write.delta }), version: 1 } };
      if (write.releases) update.$pull = { stockHolds: { order: write.releases.order, line: write.releases.line } };
      if (write.records || write.alerts?.length) {
        update.$push = {
          ...(write.records && { stockHolds: { ...write.records, variant: write.variantId } }),
          ...(write.alerts?.length && { stockAlerts: { $each: write.alerts } }),
        };
      }
      const query = model.findOneAndUpdate(filter, update, {
        returnDocument: 'after',
        arrayFilters: [{ 'v._id': variantId }],
        projection: imageProjection(variantId),
        session: session ?? undefined,
      });
      return toImage(await lean<StoredImage | null>(query));
    },

    /** What a stock write's filter looks at, read now (null when the product or the variant is gone). */
    async readVariantStock(productId: string, variantId: string, hold?: { order: string; line: number | null; quantity: number }, session?: ClientSession | null): Promise<VariantStockState | null> {
      const id = new Types.ObjectId(variantId);
      const projection = { ...imageProjection(id), ...(hold && { stockHolds: { $elemMatch: hold } }) };
      const doc = await lean<(StoredImage & { stockHolds?: unknown[] }) | null>(model.findOne({ _id: productId }, projection).session(session ?? null));
      const image = toImage(doc);
      if (!image) return null;
      return { ...image, holdPresent: Boolean(doc?.stockHolds?.length) };
    },

    /** Alerts that reached the outbox leave the product. */
    async clearAlerts(productId: string, ids: readonly string[]): Promise<void> {
      await model.updateOne({ _id: productId }, { $pull: { stockAlerts: { id: { $in: [...ids] } } } });
    },

    /** Alerts stored before `before` and still on their product (their move to the outbox did not finish). */
    async findStrandedAlerts(before: Date, limit: number): Promise<{ productId: string; alerts: StockAlertRecord[] }[]> {
      const docs = await lean<{ _id: Types.ObjectId; stockAlerts?: StockAlertRecord[] }[]>(
        model.find({ 'stockAlerts.at': { $lt: before } }, { stockAlerts: 1 }).limit(limit),
      );
      return docs.map((d) => ({ productId: d._id.toString(), alerts: (d.stockAlerts ?? []).filter((a) => new Date(a.at) < before) }));
    },

    /** A product's only variant (lines and holds written before variants name none); null with several. */
    async findOnlyVariantId(productId: string): Promise<string | null> {
      const doc = await lean<{ variants?: { _id: Types.ObjectId }[] } | null>(
        model.findOne({ _id: productId, 'variants.0': { $exists: true }, 'variants.1': { $exists: false } }, { 'variants._id': 1 }),
      );
      return doc?.variants?.[0]?._id.toString() ?? null;
    },

  };
}
