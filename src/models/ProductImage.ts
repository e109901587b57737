// An image of a product, embedded in the product document: a catalog shows a product with its
// images in one read, and the count per product is small and bounded (MEDIA_MAX_IMAGES_PER_PRODUCT).
// The array order is the display order; `position` in the API is the index.
import { Schema } from 'mongoose';

export const IMAGE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];
export const THUMBNAIL_WIDTHS = [200, 800] as const;
export const MAX_ALT_LENGTH = 300;

const mediaName = { type: String, required: true, match: /^[a-f0-9]{64}\.(jpg|png|webp)$/ };

export const productImageSchema = new Schema(
  {
    /** Content-hashed object names in media storage (see repositories/media). */
    original: mediaName,
    thumb200: mediaName,
    thumb800: mediaName,
    /** Every object this image owns, for the "is anyone else still using this file" check on delete. */
    files: { type: [String], required: true },
    format: { type: String, enum: IMAGE_FORMATS, required: true },
    width: { type: Number, required: true, min: 1 },
    height: { type: Number, required: true, min: 1 },
    bytes: { type: Number, required: true, min: 1 },
    alt: { type: String, default: '', maxlength: MAX_ALT_LENGTH },
    createdAt: { type: Date, required: true },
  },
  { _id: true, id: false },
);
