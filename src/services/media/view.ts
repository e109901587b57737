// The API representation of a product image: links instead of object names, position = index.
import type { ProductImageRecord } from '../../repositories/product-image.repository';

export interface ProductImageView {
  id: string;
  url: string;
  thumbnails: { 200: string; 800: string };
  alt: string;
  position: number;
  width: number;
  height: number;
}

/** Object name → public link (the storage adapter's `url`). */
export type MediaUrl = (name: string) => string;

export function toImageView(image: ProductImageRecord, position: number, url: MediaUrl): ProductImageView {
  return {
    id: image._id.toString(),
    url: url(image.original),
    thumbnails: { 200: url(image.thumb200), 800: url(image.thumb800) },
    alt: image.alt,
    position,
    width: image.width,
    height: image.height,
  };
}

export function toImageViews(images: readonly ProductImageRecord[] | undefined, url: MediaUrl): ProductImageView[] {
  return (images ?? []).map((image, index) => toImageView(image, index, url));
}
