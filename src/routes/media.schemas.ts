// Joi schemas for product images and /media files.
import Joi from 'joi';
import type { ImageParams, MediaFileParams, UploadFields } from '../controllers/media.controller';
import { MAX_ALT_LENGTH } from '../models/ProductImage';
import { MEDIA_NAME_PATTERN } from '../repositories/media/media-storage';
import type { ImageChanges } from '../services/media/media.service';
import { plainText } from '../utils/sanitize';
import { idParams } from './product.schemas';

const objectId = (label: string) =>
  Joi.string().hex().length(24).lowercase().required().messages({ 'string.hex': `${label} must be an id`, 'string.length': `${label} must be an id` });

export const imageParams = Joi.object<ImageParams>({ id: idParams.extract('id'), imageId: objectId('imageId') });

// Alt text follows the description rules: plain text, markup is a 400 (src/utils/sanitize.ts).
const alt = plainText({ max: MAX_ALT_LENGTH }).allow('').description('Alternative text for screen readers and search engines (plain text)');

export const uploadFields = Joi.object<UploadFields>({ alt });

export const imagePatchBody = Joi.object<ImageChanges>({
  alt,
  position: Joi.number().integer().min(0).max(100).description('New 0-based position; the other images shift (past the end = last)'),
})
  .min(1)
  .messages({ 'object.min': 'send alt and/or position' });

export const mediaNameParams = Joi.object<MediaFileParams>({
  mediaName: Joi.string()
    .pattern(MEDIA_NAME_PATTERN)
    .required()
    .description('Content-hashed file name from an image link: 64 hex digits and .jpg, .png or .webp')
    .messages({ 'string.pattern.base': 'mediaName must be a media file name' }),
});

export const productImage = Joi.object({
  id: Joi.string(),
  url: Joi.string().uri(),
  thumbnails: Joi.object({ 200: Joi.string().uri(), 800: Joi.string().uri() }).description('WebP, 200 and 800 px wide'),
  alt: Joi.string().allow(''),
  position: Joi.number().integer(),
  width: Joi.number().integer(),
  height: Joi.number().integer(),
});
