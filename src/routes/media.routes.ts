// Product image endpoints and the /media files their links point to (local storage, or a proxy
// of the object store; documented with the product endpoints). Upload bounds come from config.media.
import Joi from 'joi';
import type { AppConfig } from '../config';
import { createMediaController } from '../controllers/media.controller';
import { MEDIA_CONTENT_TYPES } from '../repositories/media/media-storage';
import type { MediaService } from '../services/media/media.service';
import { imagePatchBody, imageParams, mediaNameParams, productImage, uploadFields } from './media.schemas';
import { idParams } from './product.schemas';
import { route, type RouteDefinition } from './route-table';

export function mediaRoutes(media: MediaService, limits: AppConfig['media']): RouteDefinition[] {
  const controller = createMediaController(media);
  const tags = ['Products'];
  const staff = ['manager', 'admin'] as const;
  return [
    route({
      method: 'post',
      path: '/products/:id/images',
      summary: 'Upload a product image (multipart/form-data)',
      description: [
        `One JPEG, PNG or WebP file in field \`file\` (at most ${limits.maxUploadBytes} bytes), plus optional \`alt\` text.`,
        'The type is detected from the content, never from the file name or Content-Type.',
        `Images are refused before decoding when larger than ${limits.maxDimension} px on a side or ${limits.maxPixels} pixels (decompression bombs).`,
        `The stored original is re-encoded without metadata (EXIF orientation applied), scaled to fit ${limits.maxStoredDimension} px;`,
        `WebP thumbnails 200 and 800 px wide are produced. At most ${limits.maxImagesPerProduct} images per product; the new one goes last.`,
      ].join(' '),
      tags,
      access: staff,
      upload: {
        field: 'file',
        maxBytes: limits.maxUploadBytes,
        maxFields: 2,
        accept: Object.values(MEDIA_CONTENT_TYPES),
        description: 'The image: JPEG, PNG or WebP',
      },
      validate: { params: idParams, body: uploadFields },
      responses: {
        201: { description: 'Stored; the image with its links', schema: productImage },
        400: { description: 'No file, more than one file, an unknown field, or alt text with markup' },
        409: { description: 'IMAGE_LIMIT_REACHED: the product has its maximum of images; PRODUCT_DELETED', code: 'IMAGE_LIMIT_REACHED' },
        413: { description: 'PAYLOAD_TOO_LARGE: the file exceeds MEDIA_MAX_UPLOAD_BYTES', code: 'PAYLOAD_TOO_LARGE' },
        415: { description: 'UNSUPPORTED_MEDIA_TYPE: not multipart, or the content is not a JPEG, PNG or WebP image (whatever its name)', code: 'UNSUPPORTED_MEDIA_TYPE' },
        422: {
          description: 'IMAGE_DIMENSIONS_EXCEEDED: too many pixels or too long a side (decompression bomb); IMAGE_UNREADABLE: corrupt; IMAGE_ANIMATED',
          code: 'IMAGE_DIMENSIONS_EXCEEDED',
        },
      },
      errors: [409, 422],
      requestExample: { alt: 'Front view' },
      postman: { captures: { imageId: 'data.id', mediaName: 'last-segment:data.thumbnails.200' } },
      handler: controller.upload,
    }),
    route({
      method: 'get',
      path: '/products/:id/images',
      summary: "A product's images in display order",
      description: 'The same list is embedded as `images` in every product response.',
      tags,
      access: staff,
      validate: { params: idParams },
      responses: { 200: { description: 'Images, by position', schema: Joi.array().items(productImage) } },
      handler: controller.list,
    }),
    route({
      method: 'get',
      path: '/media/:mediaName',
      mount: 'root',
      summary: 'An image file (original or thumbnail) by its content-hashed name',
      description: 'Served with `Cache-Control: public, max-age=31536000, immutable`: a name never changes content.',
      tags,
      access: 'public',
      validate: { params: mediaNameParams },
      responses: {
        200: { description: 'The image bytes', contentType: 'image/*', schema: Joi.binary() },
        304: { description: 'Not modified (If-None-Match)' },
        404: { description: 'MEDIA_NOT_FOUND', code: 'MEDIA_NOT_FOUND' },
      },
      handler: controller.file,
    }),
    route({
      method: 'patch',
      path: '/products/:id/images/:imageId',
      summary: "Change an image's alt text or position",
      description: 'Moving an image to `position` shifts the others; a position past the end moves it last.',
      tags,
      access: staff,
      validate: { params: imageParams, body: imagePatchBody },
      responses: {
        200: { description: 'The image as it is now', schema: productImage },
        404: { description: 'PRODUCT_NOT_FOUND or IMAGE_NOT_FOUND' },
        409: { description: 'PRODUCT_DELETED; VERSION_CONFLICT under sustained concurrent edits' },
      },
      requestExample: { alt: 'Side view', position: 0 },
      handler: controller.update,
    }),
    route({
      method: 'delete',
      path: '/products/:id/images/:imageId',
      summary: 'Delete an image and its stored files',
      tags,
      access: staff,
      validate: { params: imageParams },
      responses: {
        204: { description: 'Deleted' },
        404: { description: 'PRODUCT_NOT_FOUND or IMAGE_NOT_FOUND' },
        409: { description: 'PRODUCT_DELETED: a soft-deleted product keeps its images until restored or purged' },
      },
      handler: controller.remove,
    }),
  ];
}
