// The category tree. Each category stores its ancestors' ids (root first, parent last) — an
// ancestors array, not a materialized path — because:
//  - ids never change, so renaming a slug rewrites one category, not the path of every descendant;
//  - "the subtree of X" is `{ ancestors: X }`: equality on a multikey index, no prefix regex and no
//    escaping of user-chosen slugs;
//  - a move rewrites the ancestors of the moved subtree only (bounded by MAX_DEPTH and the tree size),
//    in one transaction with the products it touches.
// A materialized path would list a subtree in depth-first order from its index, which the tree
// endpoint does not need (it builds the tree from the whole, small collection).
// Products keep their own copy of the path as slugs (`categoryPath` on Product), so the product
// filter `?category=<slug>` needs no lookup and one multikey index serves descendants.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const CATEGORY_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Root = depth 1. Bounds every path (products store it) and every move's rewrite. */
export const MAX_CATEGORY_DEPTH = 6;
/** `GET /categories` returns the whole tree in one answer; this bounds it. */
export const MAX_CATEGORIES = 1000;

const categorySchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 100 },
    slug: { type: String, required: true, trim: true, lowercase: true, maxlength: 60, match: CATEGORY_SLUG },
    description: { type: String, default: '', maxlength: 2000 },
    parent: { type: Schema.Types.ObjectId, default: null },
    ancestors: {
      type: [Schema.Types.ObjectId],
      default: [],
      validate: { validator: (a: unknown[]) => a.length < MAX_CATEGORY_DEPTH, message: `at most ${MAX_CATEGORY_DEPTH} levels` },
    },
    // Order among siblings (ties by name).
    position: { type: Number, default: 0, min: 0, validate: { validator: Number.isSafeInteger, message: 'position must be an integer' } },
    // An inactive category is hidden, with its subtree, from the public tree; its products stay listed.
    active: { type: Boolean, default: true },
    version: { type: Number, required: true, default: 1, min: 1 },
    // Written by every product assignment in the assignment's transaction, so a concurrent delete or
    // move of this category meets a write conflict instead of missing the new product.
    assignedAt: { type: Date, default: null, select: false },
  },
  { timestamps: true, versionKey: false },
);

categorySchema.index({ slug: 1 }, { unique: true });
// The subtree of a category; "has children" is `{ ancestors: id }` too.
categorySchema.index({ ancestors: 1 });
categorySchema.index({ parent: 1, position: 1 });

export type CategoryDoc = InferSchemaType<typeof categorySchema>;
export type CategoryModel = Model<CategoryDoc>;

/** The Category model on `connection`, compiled once per connection. */
export function categoryModel(connection: Connection): CategoryModel {
  return (connection.models.Category as CategoryModel | undefined) ?? connection.model<CategoryDoc>('Category', categorySchema);
}
