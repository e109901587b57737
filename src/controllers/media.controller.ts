// HTTP for product images and the /media files behind their links.
import type { Response } from 'express';
import { IMMUTABLE_CACHE_CONTROL } from '../repositories/media/media-storage';
import type { ImageChanges, MediaService } from '../services/media/media.service';
import { ValidationError } from '../utils/errors';
import { sendCreated, sendNoContent, sendSuccess } from '../utils/response';
import type { IdParams, TypedRequest } from '../utils/typed-request';

export interface ImageParams extends IdParams {
  readonly imageId: string;
}

export interface MediaFileParams {
  readonly mediaName: string;
}

/** The text fields beside the uploaded file. */
export interface UploadFields {
  readonly alt?: string;
}

export function createMediaController(media: MediaService) {
  return {
    async upload(req: TypedRequest<{ params: IdParams; body: UploadFields | undefined }>, res: Response) {
      // The route's upload step refuses a request without the file before this runs.
      if (!req.file) throw new ValidationError('Request validation failed', [{ location: 'body', path: 'file', message: '"file" (a file) is required', type: 'any.required' }]);
      const image = await media.upload(req.validated.params.id, req.file.buffer, req.validated.body?.alt);
      sendCreated(res, image);
    },

    async list(req: TypedRequest<{ params: IdParams }>, res: Response) {
      sendSuccess(res, await media.list(req.validated.params.id));
    },

    async update(req: TypedRequest<{ params: ImageParams; body: ImageChanges }>, res: Response) {
      const { id, imageId } = req.validated.params;
      sendSuccess(res, await media.update(id, imageId, req.validated.body));
    },

    async remove(req: TypedRequest<{ params: ImageParams }>, res: Response) {
      const { id, imageId } = req.validated.params;
      await media.remove(id, imageId);
      sendNoContent(res);
    },

    async file(req: TypedRequest<{ params: MediaFileParams }>, res: Response) {
      const { mediaName: name } = req.validated.params;
      const object = await media.read(name);
      // The name is the content's hash: it is its own strong validator and never changes.
      const etag = `"${name.slice(0, 64)}"`;
      res.setHeader('Cache-Control', IMMUTABLE_CACHE_CONTROL);
      res.setHeader('ETag', etag);
      // Shop front-ends on other origins embed these images; the API's default is same-origin.
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      if (req.headers['if-none-match'] === etag) {
        res.status(304).end();
        return;
      }
      res.setHeader('Content-Type', object.contentType);
      res.setHeader('Content-Length', object.body.length);
      res.end(object.body);
    },
  };
}
