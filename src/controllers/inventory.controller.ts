// HTTP for bulk inventory: the CSV upload, import progress, and the two CSV downloads (streamed).
import type { Response } from 'express';
import type { InventoryService } from '../services/inventory/inventory.service';
import { ValidationError } from '../utils/errors';
import { sendSuccess } from '../utils/response';
import type { IdParams, TypedRequest } from '../utils/typed-request';
import { sendCsv } from './csv';

export function createInventoryController(inventory: InventoryService) {
  return {
    async upload(req: TypedRequest<{ body: unknown }>, res: Response) {
      if (!req.file) throw new ValidationError('Request validation failed', [{ location: 'body', path: 'file', message: '"file" (a file) is required', type: 'any.required' }]);
      const { import: view, created } = await inventory.upload(req.file.buffer, req.file.originalname ?? '', req.auth!.id);
      res.location(`/api/v1/inventory/imports/${view.id}`);
      sendSuccess(res, view, { status: created ? 202 : 200 });
    },

    async get(req: TypedRequest<{ params: IdParams }>, res: Response) {
      sendSuccess(res, await inventory.get(req.validated.params.id));
    },

    async errors(req: TypedRequest<{ params: IdParams }>, res: Response) {
      const { id } = req.validated.params;
      await sendCsv(res, `import-${id}-errors.csv`, await inventory.errorReport(id));
    },

    async exportCsv(_req: TypedRequest<object>, res: Response) {
      await sendCsv(res, 'inventory.csv', inventory.exportCsv());
    },
  };
}
