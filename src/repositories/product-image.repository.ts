// Product images (embedded in the product document). The only code that touches them in Mongoose;
// every write bumps the product's `version` so its ETag and cached views change with its images.
import { Types } from 'mongoose';
import type { ProductModel } from '../models/Product';
import type { ImageFormat } from '../models/ProductImage';

export interface ProductImageRecord {
  _id: Types.ObjectId;
  original: string;
  thumb200: string;
  thumb800: string;
  files: string[];
  format: ImageFormat;
  width: number;
  height: number;
  bytes: number;
  alt: string;
  createdAt: Date;
}

export type NewProductImage = Omit<ProductImageRecord, '_id'>;

export interface ImageOwner {
  _id: Types.ObjectId;
  version: number;
  deletedAt: Date | null;
  images: ProductImageRecord[];
}

export type ProductImageRepository = ReturnType<typeof createProductImageRepository>;

const OWNER_FIELDS = { _id: 1, version: 1, deletedAt: 1, images: 1 } as const;

function withImages(doc: ImageOwner | null): ImageOwner | null {
  return doc ? { ...doc, images: doc.images ?? [] } : null;
}

export function createProductImageRepository(model: ProductModel) {
  return {
    async findOwner(productId: string): Promise<ImageOwner | null> {
      return withImages((await model.findById(productId, OWNER_FIELDS).lean()) as ImageOwner | null);
    },

    /**
     * Appends the image if the product is live and has fewer than `maxImages` — one conditional
     * update, so parallel uploads can never exceed the bound. Null when the condition failed.
     */
    async append(productId: string, image: NewProductImage, maxImages: number): Promise<ProductImageRecord | null> {
      const record: ProductImageRecord = { _id: new Types.ObjectId(), ...image };
      const result = await model.updateOne(
        { _id: productId, deletedAt: null, [`images.${maxImages - 1}`]: { $exists: false } },
        { $push: { images: record }, $inc: { version: 1 } },
      );
      return result.modifiedCount === 1 ? record : null;
    },

    /** Replaces the whole list (reorder, alt text) if nobody wrote since `expectedVersion`. */
    async replaceIfVersion(productId: string, expectedVersion: number, images: readonly ProductImageRecord[]): Promise<ImageOwner | null> {
      const doc = await model
        .findOneAndUpdate(
          { _id: productId, version: expectedVersion, deletedAt: null },
          { $set: { images }, $inc: { version: 1 } },
          { returnDocument: 'after', projection: OWNER_FIELDS, runValidators: true },
        )
        .lean();
      return withImages(doc as ImageOwner | null);
    },

    /** Removes one image from a live product; returns the removed image, or null when there was none. */
    async pull(productId: string, imageId: string): Promise<ProductImageRecord | null> {
      const before = (await model
        .findOneAndUpdate(
          { _id: productId, deletedAt: null, 'images._id': new Types.ObjectId(imageId) },
          { $pull: { images: { _id: new Types.ObjectId(imageId) } }, $inc: { version: 1 } },
          { returnDocument: 'before', projection: OWNER_FIELDS },
        )
        .lean()) as ImageOwner | null;
      return before?.images.find((image) => image._id.equals(imageId)) ?? null;
    },

    /** Object names (of `names`) that some image of some product still uses. */
    async namesInUse(names: readonly string[]): Promise<Set<string>> {
      const used = await model.distinct('images.files', { 'images.files': { $in: [...names] } });
      return new Set((used as string[]).filter((name) => names.includes(name)));
    },
  };
}
