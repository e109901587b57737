// Joi schemas for bulk inventory: the import resource and its id.
import Joi from 'joi';
import type { IdParams } from '../utils/typed-request';

export const importIdParams: Joi.ObjectSchema<IdParams> = Joi.object({
  id: Joi.string().hex().length(24).lowercase().required().messages({ 'string.hex': 'id must be an import id', 'string.length': 'id must be an import id' }),
});

/** No text fields beside the file. */
export const importUploadFields = Joi.object({});

const rejection = Joi.object({
  line: Joi.number().integer().min(2).required().description('Line in the file (the header is line 1)'),
  sku: Joi.string().allow('').required(),
  reason: Joi.string().required(),
});

export const inventoryImport = Joi.object({
  id: Joi.string().required(),
  status: Joi.string().valid('queued', 'running', 'done', 'failed').required(),
  mode: Joi.string().valid('stock', 'delta').required().description('`stock`: absolute counts; `delta`: signed changes'),
  fileName: Joi.string().allow('').required(),
  bytes: Joi.number().integer().required(),
  sha256: Joi.string().hex().length(64).required().description('Content hash: the same file uploaded again returns this import'),
  rows: Joi.object({ total: Joi.number().integer().required(), done: Joi.number().integer().required() }).required(),
  applied: Joi.number().integer().required(),
  rejected: Joi.number().integer().required(),
  rejections: Joi.array().items(rejection).max(20).required().description('The first rejected lines; all are in errors.csv'),
  failureReason: Joi.string().allow(null).required(),
  errorsUrl: Joi.string().required(),
  createdAt: Joi.string().isoDate().required(),
  startedAt: Joi.string().isoDate().allow(null).required(),
  finishedAt: Joi.string().isoDate().allow(null).required(),
});
