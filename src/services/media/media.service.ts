// Product images: upload (validate, re-encode, store, attach), alt text, order, delete, and the
// bytes behind /media. Files are stored before the database write and removed after it, so a
// product never references a missing file; a failed attach cleans up what it stored.
import { isValidObjectId } from 'mongoose';
import type { MediaStorage, StoredObject } from '../../repositories/media/media-storage';
import { isMediaName } from '../../repositories/media/media-storage';
import type { ImageOwner, ProductImageRecord, ProductImageRepository } from '../../repositories/product-image.repository';
import { ConflictError, NotFoundError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { processImage, type ImageLimits } from './processing';
import { toImageView, toImageViews, type ProductImageView } from './view';

export interface MediaServiceDeps {
  readonly images: ProductImageRepository;
  readonly storage: MediaStorage;
  readonly limits: ImageLimits & { readonly maxImagesPerProduct: number };
  /** Drops cached product views after their images change. */
  readonly invalidateProducts: (ids: readonly string[]) => Promise<void>;
}

export interface ImageChanges {
  alt?: string;
  position?: number;
}

export type MediaService = ReturnType<typeof createMediaService>;

// Reorders and alt edits are read-modify-write on the product version; a few quick retries absorb
// a concurrent edit before the caller sees a 409.
const MAX_WRITE_ATTEMPTS = 5;

const productNotFound = () => new NotFoundError('Product not found', 'PRODUCT_NOT_FOUND');
const imageNotFound = () => new NotFoundError('Image not found', 'IMAGE_NOT_FOUND');
const productDeleted = () => new ConflictError('Product is deleted; restore it before changing its images', 'PRODUCT_DELETED');

export function createMediaService(deps: MediaServiceDeps) {
  const { images, storage, limits } = deps;
  const url = (name: string) => storage.url(name);

  async function liveOwner(productId: string): Promise<ImageOwner> {
    const owner = isValidObjectId(productId) ? await images.findOwner(productId) : null;
    if (!owner) throw productNotFound();
    if (owner.deletedAt) throw productDeleted();
    return owner;
  }

  function limitReached(): ConflictError {
    return new ConflictError(`A product has at most ${limits.maxImagesPerProduct} images; delete one first`, 'IMAGE_LIMIT_REACHED');
  }

  /** Removes stored files no image references any more (content-hashed names may be shared). */
  async function removeUnused(names: readonly string[]): Promise<void> {
    const inUse = await images.namesInUse(names);
    const unused = names.filter((name) => !inUse.has(name));
    const results = await Promise.allSettled(unused.map((name) => storage.remove(name)));
    // A file left behind is harmless garbage; the product is already consistent, so log and go on.
    results.forEach((result, i) => {
      if (result.status === 'rejected') logger.warn('media file not removed', { name: unused[i], error: String(result.reason) });
    });
  }

  /** Applies `change` to the current list and writes it back if nobody wrote meanwhile. */
  async function rewrite(productId: string, change: (current: ProductImageRecord[]) => ProductImageRecord[]): Promise<ImageOwner> {
    for (let attempt = 1; ; attempt += 1) {
      const owner = await liveOwner(productId);
      const written = await images.replaceIfVersion(productId, owner.version, change(owner.images));
      if (written) {
        await deps.invalidateProducts([productId]);
        return written;
      }
      if (attempt >= MAX_WRITE_ATTEMPTS) throw new ConflictError('The product changed while its images were being edited; retry', 'VERSION_CONFLICT');
    }
  }

  return {
    async upload(productId: string, file: Buffer, alt = ''): Promise<ProductImageView> {
      const owner = await liveOwner(productId);
      // Cheap early refusal; the conditional append below is what actually enforces the bound.
      if (owner.images.length >= limits.maxImagesPerProduct) throw limitReached();
      const processed = await processImage(file, limits);
      const stored = [processed.original, processed.thumbnails[200], processed.thumbnails[800]];
      const puts = await Promise.allSettled(stored.map((f) => storage.put(f.name, f.body)));
      const failed = puts.find((p): p is PromiseRejectedResult => p.status === 'rejected');
      if (failed) {
        // Nothing references these files yet: take back the ones that did land, then fail.
        await removeUnused(stored.map((f) => f.name));
        throw failed.reason;
      }
      const record = await images.append(
        productId,
        {
          original: processed.original.name,
          thumb200: processed.thumbnails[200].name,
          thumb800: processed.thumbnails[800].name,
          files: stored.map((f) => f.name),
          format: processed.format,
          width: processed.original.width,
          height: processed.original.height,
          bytes: processed.original.body.length,
          alt,
          createdAt: new Date(),
        },
        limits.maxImagesPerProduct,
      );
      if (!record) {
        await removeUnused(stored.map((f) => f.name));
        const now = await images.findOwner(productId);
        if (!now) throw productNotFound();
        if (now.deletedAt) throw productDeleted();
        throw limitReached();
      }
      await deps.invalidateProducts([productId]);
      const after = await images.findOwner(productId);
      const position = after?.images.findIndex((image) => image._id.equals(record._id)) ?? -1;
      return toImageView(record, position < 0 ? owner.images.length : position, url);
    },

    /** Alt text and/or a new position (the others shift to make room). */
    async update(productId: string, imageId: string, changes: ImageChanges): Promise<ProductImageView> {
      const written = await rewrite(productId, (current) => {
        const index = current.findIndex((image) => image._id.equals(imageId));
        if (index < 0) throw imageNotFound();
        const list = [...current];
        const [image] = list.splice(index, 1);
        const updated = { ...image!, ...(changes.alt !== undefined && { alt: changes.alt }) };
        const target = changes.position === undefined ? index : Math.min(changes.position, list.length);
        list.splice(target, 0, updated);
        return list;
      });
      const position = written.images.findIndex((image) => image._id.equals(imageId));
      return toImageView(written.images[position]!, position, url);
    },

    /** The product's images in display order. */
    async list(productId: string): Promise<ProductImageView[]> {
      const owner = isValidObjectId(productId) ? await images.findOwner(productId) : null;
      if (!owner) throw productNotFound();
      return toImageViews(owner.images, url);
    },

    /** Detaches the image, then removes its files (unless another image uses the same content). */
    async remove(productId: string, imageId: string): Promise<void> {
      await liveOwner(productId);
      const removed = isValidObjectId(imageId) ? await images.pull(productId, imageId) : null;
      if (!removed) throw imageNotFound();
      await deps.invalidateProducts([productId]);
      await removeUnused(removed.files);
    },

    /** A stored file for GET /media/:name; 404 for anything that is not a stored content-hashed name. */
    async read(name: string): Promise<StoredObject> {
      const object = isMediaName(name) ? await storage.get(name) : null;
      if (!object) throw new NotFoundError('No such media file', 'MEDIA_NOT_FOUND');
      return object;
    },

    url,
  };
}
