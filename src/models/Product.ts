// The product catalog document. Money is stored as integer minor units (priceMinor) so sums and
// comparisons never drift; the API converts to and from a decimal number at the edge.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { productImageSchema } from './ProductImage';
import { defaultVariant, MAX_VARIANTS, summarizeVariants, variantSchema, type VariantRecord } from './ProductVariant';

export const PRODUCT_STATUSES = ['active', 'draft'] as const;
export const CURRENCIES = ['USD', 'EUR', 'GBP'] as const;
export const MAX_TAGS = 20;

/** "Ultra Phone 12 (Black)" → "ultra-phone-12-black"; ASCII only, bounded. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/g, '');
  return slug || 'product';
}

/** Trimmed, lower-cased, de-duplicated, empty tags dropped. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => String(t).trim().toLowerCase()).filter(Boolean))];
}

/** Rating rounded to the nearest half star, for display. */
export function ratingStars(ratingAverage: number): number {
  return Math.round(ratingAverage * 2) / 2;
}

const productSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 200 },
    slug: { type: String, required: true, trim: true, lowercase: true, maxlength: 120, match: /^[a-z0-9]+(?:-[a-z0-9]+)*$/ },
    sku: { type: String, required: true, trim: true, uppercase: true, maxlength: 40 },
    description: { type: String, default: '', maxlength: 5000 },
    priceMinor: {
      type: Number,
      required: true,
      min: 0,
      validate: { validator: Number.isSafeInteger, message: 'priceMinor must be an integer number of minor units' },
    },
    currency: { type: String, enum: CURRENCIES, default: 'USD' },
    category: { type: String, required: true, trim: true, lowercase: true, maxlength: 60 },
    tags: {
      type: [String],
      default: [],
      set: normalizeTags,
      validate: { validator: (tags: string[]) => tags.length <= MAX_TAGS, message: `at most ${MAX_TAGS} tags` },
    },
    // Denormalized from `variants` on every variant write (summarizeVariants): the sum over active variants.
    stock: { type: Number, required: true, min: 0, default: 0, validate: { validator: Number.isSafeInteger, message: 'stock must be an integer' } },
    // Display order is the array order; kept on soft delete (the files go only with a purge).
    images: { type: [productImageSchema], default: undefined },
    // Every product has at least one variant; a product without options has exactly one (the default).
    variants: {
      type: [variantSchema],
      default: undefined,
      validate: { validator: (v: unknown[] | undefined) => !v || (v.length >= 1 && v.length <= MAX_VARIANTS), message: `1 to ${MAX_VARIANTS} variants` },
    },
    // The variant price range, denormalized so price filters and sorts stay index-backed.
    priceMinMinor: { type: Number, min: 0 },
    priceMaxMinor: { type: Number, min: 0 },
    ratingAverage: { type: Number, min: 0, max: 5, default: 0 },
    ratingCount: { type: Number, min: 0, default: 0 },
    status: { type: String, enum: PRODUCT_STATUSES, default: 'draft' },
    deletedAt: { type: Date, default: null },
    deletedBy: { type: Schema.Types.ObjectId, default: null },
    // Our own optimistic-concurrency counter, bumped by every write (Mongoose's __v only guards arrays).
    version: { type: Number, required: true, default: 1, min: 1 },
    // Stock reservations of orders being placed (the order's id, its line, the variant and the units
    // it took; line/variant absent on holds written before variants). A hold is
    // pushed with the decrement and pulled on release or once the order is saved, so releasing
    // twice restocks once; a hold whose placement died is completed or given back by the
    // abandoned-hold sweep (services/orders/holds.ts).
    stockHolds: {
      type: [new Schema({ order: { type: String, required: true }, line: Number, variant: String, quantity: { type: Number, required: true } }, { _id: false })],
      default: undefined,
      select: false,
    },
  },
  { timestamps: true, versionKey: false, toJSON: { virtuals: true }, toObject: { virtuals: true } },
);

productSchema.virtual('ratingStars').get(function (this: { ratingAverage: number }) {
  return ratingStars(this.ratingAverage ?? 0);
});

// The slug is derived once from the name; renames keep it (links stay valid) unless the caller sets one.
productSchema.pre('validate', function () {
  if (!this.slug && this.name) this.slug = slugify(this.name);
});

// A product created without variants gets its default variant; the summary always follows the variants.
productSchema.pre('validate', function () {
  const self = this as unknown as { sku: string; stock: number; priceMinor: number; variants?: VariantRecord[] } & Record<string, unknown>;
  if (!self.variants?.length) self.variants = [defaultVariant(self.sku, self.stock ?? 0)];
  Object.assign(self, summarizeVariants(self.variants, self.priceMinor));
});

// Each index serves a documented query shape (QUERY-ENGINE-DOC.md, "Indexes").
productSchema.index({ slug: 1 }, { unique: true });
productSchema.index({ sku: 1 }, { unique: true });
productSchema.index({ deletedAt: 1, status: 1, createdAt: -1, _id: -1 });
productSchema.index({ category: 1, priceMinMinor: 1 });
productSchema.index({ tags: 1, priceMinMinor: 1 });
productSchema.index({ deletedAt: 1, status: 1, priceMinMinor: -1, _id: -1 });
// SKUs are unique across the catalog, variant by variant (sparse: products not yet migrated have none).
productSchema.index({ 'variants.sku': 1 }, { unique: true, sparse: true, name: 'variant_sku_unique' });
productSchema.index({ 'variants.optionTags': 1 });
productSchema.index({ deletedAt: 1, status: 1, ratingAverage: -1, _id: -1 });
// Deleting an image asks whether another image still uses the same content-hashed file.
productSchema.index({ 'images.files': 1 }, { sparse: true });
// The abandoned-hold sweep finds the few products with holds without scanning the catalog.
productSchema.index({ 'stockHolds.order': 1 }, { sparse: true });
productSchema.index(
  { name: 'text', tags: 'text', description: 'text' },
  { name: 'product_text', weights: { name: 10, tags: 5, description: 1 } },
);

export type ProductDoc = InferSchemaType<typeof productSchema>;
export type ProductModel = Model<ProductDoc>;

/** The Product model on `connection`, compiled once per connection. */
export function productModel(connection: Connection): ProductModel {
  return (connection.models.Product as ProductModel | undefined) ?? connection.model<ProductDoc>('Product', productSchema);
}
