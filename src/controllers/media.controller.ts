// HTTP for product images and the /media files behind their links.
import type { Request, Response } from 'express';
import { IMMUTABLE_CACHE_CONTROL } from '../repositories/media/media-storage';
import type { ImageChanges, MediaService } from '../services/media/media.service';
import { sendCreated, sendNoContent, sendSuccess } from '../utils/response';

interface ImageParams {
  id: string;
  imageId: string;
}

export function createMediaController(media: MediaService) {
  return {
    async upload(req: Request, res: Response) {
      const { id } = req.validated.params as unknown as ImageParams;
      const { alt } = (req.validated.body ?? {}) as { alt?: string };
      const image = await media.upload(id, req.file!.buffer, alt);
      sendCreated(res, image);
    },

    async list(req: Request, res: Response) {
      const { id } = req.validated.params as unknown as ImageParams;
      sendSuccess(res, await media.list(id));
    },

    async update(req: Request, res: Response) {
      const { id, imageId } = req.validated.params as unknown as ImageParams;
      sendSuccess(res, await media.update(id, imageId, req.validated.body as ImageChanges));
    },

    async remove(req: Request, res: Response) {
      const { id, imageId } = req.validated.params as unknown as ImageParams;
      await media.remove(id, imageId);
      sendNoContent(res);
    },

    async file(req: Request, res: Response) {
      const { mediaName: name } = req.validated.params as { mediaName: string };
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
