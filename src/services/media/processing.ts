// Turns untrusted upload bytes into the files we store: detects the type from the content, refuses
// decompression bombs from the header before any pixel is decoded, then re-encodes (orientation
// applied, EXIF/XMP/ICC metadata dropped) into a normalized original and WebP thumbnails.
import { createHash } from 'node:crypto';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { THUMBNAIL_WIDTHS, type ImageFormat } from '../../models/ProductImage';
import { UnprocessableError, UnsupportedMediaTypeError } from '../../utils/errors';

// file-type 16 is the last CommonJS release; its detection reads magic numbers, never the name.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fromBuffer } = require('file-type') as { fromBuffer(buffer: Buffer): Promise<{ ext: string; mime: string } | undefined> };

export interface ImageLimits {
  readonly maxPixels: number;
  readonly maxDimension: number;
  readonly maxStoredDimension: number;
}

export interface StoredFile {
  /** Content-hashed object name: sha256(bytes).ext */
  readonly name: string;
  readonly body: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface ProcessedImage {
  readonly format: ImageFormat;
  readonly original: StoredFile;
  readonly thumbnails: Readonly<Record<(typeof THUMBNAIL_WIDTHS)[number], StoredFile>>;
}

const ACCEPTED: Readonly<Record<string, ImageFormat>> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' };
const EXTENSIONS: Readonly<Record<ImageFormat, string>> = { jpeg: 'jpg', png: 'png', webp: 'webp' };
// sharp gives up on a pathological file instead of holding a worker thread indefinitely.
const ENCODE_TIMEOUT_SECONDS = 20;

/** The image format from the bytes themselves; anything but JPEG, PNG or WebP is a 415. */
export async function detectImageFormat(buffer: Buffer): Promise<ImageFormat> {
  const detected = await fromBuffer(buffer);
  const format = detected ? ACCEPTED[detected.mime] : undefined;
  if (!format) {
    throw new UnsupportedMediaTypeError('Only JPEG, PNG and WebP images are accepted (detected from the file content)', 'UNSUPPORTED_MEDIA_TYPE', {
      details: [{ path: 'file', message: `detected type: ${detected?.mime ?? 'unknown'}` }],
    });
  }
  return format;
}

function dimensionError(message: string, width: number, height: number): UnprocessableError {
  return new UnprocessableError(message, 'IMAGE_DIMENSIONS_EXCEEDED', { details: [{ path: 'file', message, width, height }] });
}

/**
 * Width and height as displayed (EXIF orientation 5–8 swaps them), read from the header only —
 * sharp's metadata() does not decode pixels, so a 50000×50000 PNG of a few kilobytes costs nothing.
 */
export async function readDimensions(buffer: Buffer, limits: ImageLimits): Promise<{ width: number; height: number }> {
  let meta: Metadata;
  try {
    meta = await sharp(buffer, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new UnprocessableError('The image could not be read', 'IMAGE_UNREADABLE', { cause: err });
  }
  if (!meta.width || !meta.height) throw new UnprocessableError('The image has no readable dimensions', 'IMAGE_UNREADABLE');
  const swapped = (meta.orientation ?? 1) >= 5;
  const width = swapped ? meta.height : meta.width;
  const height = swapped ? meta.width : meta.height;
  if (width > limits.maxDimension || height > limits.maxDimension) {
    throw dimensionError(`Images may be at most ${limits.maxDimension} px on each side; this one is ${width}×${height}`, width, height);
  }
  if (width * height > limits.maxPixels) {
    throw dimensionError(`Images may have at most ${limits.maxPixels} pixels; this one has ${width * height}`, width, height);
  }
  if ((meta.pages ?? 1) > 1) throw new UnprocessableError('Animated or multi-page images are not accepted', 'IMAGE_ANIMATED');
  return { width, height };
}

async function finish(pipeline: Sharp, ext: string): Promise<StoredFile> {
  const { data, info } = await pipeline.timeout({ seconds: ENCODE_TIMEOUT_SECONDS }).toBuffer({ resolveWithObject: true });
  return { name: `${createHash('sha256').update(data).digest('hex')}.${ext}`, body: data, width: info.width, height: info.height };
}

/** Validates and re-encodes an upload. Throws 415 / 422 AppErrors for anything we will not store. */
export async function processImage(buffer: Buffer, limits: ImageLimits): Promise<ProcessedImage> {
  const format = await detectImageFormat(buffer);
  await readDimensions(buffer, limits);
  // limitInputPixels again at decode time: the header was checked, but the decoder enforces it too.
  // rotate() with no angle applies and then drops the EXIF orientation; sharp writes no metadata
  // unless asked (no withMetadata/keepExif), so EXIF, XMP, IPTC and GPS never reach storage.
  const source = () => sharp(buffer, { limitInputPixels: limits.maxPixels, failOn: 'error' }).rotate();
  try {
    const box = { width: limits.maxStoredDimension, height: limits.maxStoredDimension, fit: 'inside' as const, withoutEnlargement: true };
    const encoders: Record<ImageFormat, (s: Sharp) => Sharp> = {
      jpeg: (s) => s.jpeg({ quality: 85, mozjpeg: true }),
      png: (s) => s.png({ compressionLevel: 9 }),
      webp: (s) => s.webp({ quality: 85 }),
    };
    const [original, small, large] = await Promise.all([
      finish(encoders[format](source().resize(box)), EXTENSIONS[format]),
      ...THUMBNAIL_WIDTHS.map((width) => finish(source().resize({ width, withoutEnlargement: true }).webp({ quality: 80 }), 'webp')),
    ]);
    return { format, original: original!, thumbnails: { 200: small!, 800: large! } };
  } catch (err) {
    throw new UnprocessableError('The image could not be decoded', 'IMAGE_UNREADABLE', { cause: err });
  }
}
