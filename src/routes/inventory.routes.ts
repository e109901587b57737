// Bulk inventory endpoints (staff): CSV import with progress and an error report, and the streamed
// catalog export. The import is applied by the worker (services/inventory/import-processor.ts).
import Joi from 'joi';
import { createInventoryController } from '../controllers/inventory.controller';
import { EXPORT_COLUMNS } from '../services/inventory/export';
import type { InventoryService } from '../services/inventory/inventory.service';
import { IMPORT_BATCH_ROWS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../services/inventory/csv';
import { importIdParams, importUploadFields, inventoryImport } from './inventory.schemas';
import { route, type RouteDefinition } from './route-table';

const importNotFound = { description: 'IMPORT_NOT_FOUND', code: 'IMPORT_NOT_FOUND' };
/** The collection uploads its sample image, so it never has an import of its own to read. */
const needsImport = { skipUnlessSet: { variable: 'importId', why: 'the collection uploads its sample image, so no import is created; set importId to a real import' } };

export function inventoryRoutes(inventory: InventoryService): RouteDefinition[] {
  const controller = createInventoryController(inventory);
  const tags = ['Inventory'];
  const staff = ['manager', 'admin'] as const;
  return [
    route({
      method: 'post',
      path: '/inventory/imports',
      summary: 'Upload a stock CSV to apply in the background (multipart/form-data)',
      description: [
        `One CSV file in field \`file\` (at most ${MAX_IMPORT_BYTES} bytes, ${MAX_IMPORT_ROWS} rows). Header \`sku,stock\` sets absolute counts;`,
        '`sku,delta` adds signed changes. The worker applies it in batches of',
        `${IMPORT_BATCH_ROWS} rows; rows with an unknown SKU, a bad number, a resulting stock below zero or a SKU already`,
        'seen earlier in the file are rejected with their line numbers. Every change is a version-guarded product write',
        '(the product `version` goes up, caches are dropped). 202 with the new import; the same file again (sha256) returns',
        'the existing import with 200 and applies nothing twice.',
      ].join(' '),
      tags,
      access: staff,
      upload: { field: 'file', maxBytes: MAX_IMPORT_BYTES, maxFields: 0, accept: ['text/csv'], description: 'The CSV: header `sku,stock` or `sku,delta`, one SKU per line' },
      validate: { body: importUploadFields },
      responses: {
        202: { description: 'Stored and queued; poll the import', schema: inventoryImport },
        200: { description: 'The same file was uploaded before: that import', schema: inventoryImport },
        413: { description: 'PAYLOAD_TOO_LARGE: the file exceeds the limit', code: 'PAYLOAD_TOO_LARGE' },
        415: { description: 'UNSUPPORTED_MEDIA_TYPE: not multipart/form-data', code: 'UNSUPPORTED_MEDIA_TYPE' },
        422: { description: 'INVALID_CSV_HEADER, EMPTY_IMPORT or TOO_MANY_ROWS: nothing is stored', code: 'INVALID_CSV_HEADER' },
      },
      errors: [422],
      postman: { captures: { importId: 'data.id' }, expectStatus: 202, orError: { status: 422, code: 'INVALID_CSV_HEADER', when: 'the collection attaches its sample image, not a CSV (pick a CSV file in Postman to import)' } },
      handler: controller.upload,
    }),
    route({
      method: 'get',
      path: '/inventory/imports/:id',
      summary: "An import's progress: rows done/total, applied, rejected (first lines)",
      tags,
      access: staff,
      validate: { params: importIdParams },
      responses: { 200: { description: 'The import', schema: inventoryImport }, 404: importNotFound },
      postman: needsImport,
      handler: controller.get,
    }),
    route({
      method: 'get',
      path: '/inventory/imports/:id/errors.csv',
      summary: "An import's rejected lines as CSV (line, sku, reason)",
      tags,
      access: staff,
      validate: { params: importIdParams },
      responses: {
        200: { description: 'CSV, streamed in line order', contentType: 'text/csv; charset=utf-8', schema: Joi.string(), example: 'line,sku,reason\n7,TEE-XL,unknown SKU\n' },
        404: importNotFound,
      },
      postman: needsImport,
      handler: controller.errors,
    }),
    route({
      method: 'get',
      path: '/inventory/export.csv',
      summary: "Every variant's SKU, product, options, stock and price as CSV (streamed)",
      description: `Columns: ${EXPORT_COLUMNS.join(', ')}. Deleted products are left out. Read from a database cursor, so the catalog is never held in memory.`,
      tags,
      access: staff,
      responses: {
        200: {
          description: 'CSV, one row per variant',
          contentType: 'text/csv; charset=utf-8',
          schema: Joi.string(),
          example: `${EXPORT_COLUMNS.join(',')}\nTEE-M,665f1c2b9a1e4c0012345678,665f1c2b9a1e4c0012345679,Trail Tee,size=M,7,20.00,EUR,true\n`,
        },
      },
      handler: controller.exportCsv,
    }),
  ];
}
