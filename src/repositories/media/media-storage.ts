// Where image files live. Two adapters implement one interface (local disk, S3-compatible object
// storage), chosen by config; callers only ever see object names, never paths or buckets.
import type { AppConfig } from '../../config';
import { createLocalDiskStorage } from './local-disk';
import { createS3Storage } from './s3';

/**
 * Stored object names are content hashes: 64 hex digits of SHA-256 and an image extension. Every
 * adapter checks a name against this pattern before touching storage, so a name can never carry a
 * path separator, "..", or anything else that would escape the media folder or bucket prefix.
 */
export const MEDIA_NAME_PATTERN = /^[a-f0-9]{64}\.(jpg|png|webp)$/;

export const MEDIA_CONTENT_TYPES: Readonly<Record<string, string>> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Content-hashed names never change content, so caches may keep them for a year without revalidating. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
}

export interface MediaStorage {
  readonly kind: 'local' | 's3';
  /** Writes the object (idempotent: the same name always carries the same bytes). */
  put(name: string, body: Buffer): Promise<void>;
  /** The object, or null when there is none. */
  get(name: string): Promise<StoredObject | null>;
  /** Removes the object; removing a missing object is not an error. */
  remove(name: string): Promise<void>;
  /** The public link for a stored name. */
  url(name: string): string;
}

export class InvalidMediaNameError extends Error {
  constructor(name: string) {
    super(`Invalid media object name: ${JSON.stringify(name.slice(0, 100))}`);
    this.name = 'InvalidMediaNameError';
  }
}

export function isMediaName(name: string): boolean {
  return MEDIA_NAME_PATTERN.test(name);
}

/** Throws unless `name` is a content-hashed media name; returns its content type. */
export function assertMediaName(name: string): string {
  if (!isMediaName(name)) throw new InvalidMediaNameError(name);
  return MEDIA_CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)]!;
}

export function createMediaStorage(media: AppConfig['media']): MediaStorage {
  if (media.storage === 's3') {
    const { s3 } = media;
    if (!s3.bucket) throw new Error('S3_BUCKET is required when MEDIA_STORAGE=s3');
    return createS3Storage({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      credentials: s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
      forcePathStyle: s3.forcePathStyle,
      keyPrefix: s3.keyPrefix,
      publicBaseUrl: media.publicBaseUrl,
    });
  }
  return createLocalDiskStorage({ dir: media.localDir, publicBaseUrl: media.publicBaseUrl });
}
