// Media in S3-compatible object storage (AWS S3, MinIO, Cloudflare R2, …) through @aws-sdk/client-s3.
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { assertMediaName, IMMUTABLE_CACHE_CONTROL, type MediaStorage } from './media-storage';

export interface S3StorageOptions {
  /** Omit for AWS itself; set for other S3-compatible services. */
  readonly endpoint?: string;
  readonly region: string;
  readonly bucket: string;
  /** Omit to use the SDK's default chain (instance role, AWS_* variables, …). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly forcePathStyle: boolean;
  /** Folder inside the bucket ("" or ending in "/"). */
  readonly keyPrefix: string;
  readonly publicBaseUrl: string;
}

function isMissing(err: unknown): boolean {
  return err instanceof NoSuchKey || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404);
}

export function createS3Storage(options: S3StorageOptions, client?: S3Client): MediaStorage {
  const s3 =
    client ??
    new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // Checksums only where S3 requires them: many S3-compatible stores reject the newer
      // default (CRC32 trailers on every request).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const keyFor = (name: string) => `${options.keyPrefix}${name}`;

  return {
    kind: 's3',
    async put(name, body) {
      const contentType = assertMediaName(name);
      await s3.send(
        new PutObjectCommand({ Bucket: options.bucket, Key: keyFor(name), Body: body, ContentType: contentType, CacheControl: IMMUTABLE_CACHE_CONTROL }),
      );
    },
    async get(name) {
      const contentType = assertMediaName(name);
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: keyFor(name) }));
        if (!out.Body) return null;
        return { body: Buffer.from(await out.Body.transformToByteArray()), contentType };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async remove(name) {
      assertMediaName(name);
      await s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: keyFor(name) }));
    },
    url(name) {
      assertMediaName(name);
      return `${options.publicBaseUrl}/${keyFor(name)}`;
    },
  };
}
