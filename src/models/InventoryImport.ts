// Bulk inventory imports: the job document (status, progress, counts), the uploaded file in chunks
// and one document per rejected line. The file lives in MongoDB, not on a local disk, because the
// API that receives it and the worker that applies it may run on different hosts; it is deleted
// with nothing else to clean up, and a 10 MB upload is a few dozen chunk documents.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const IMPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export const IMPORT_MODES = ['stock', 'delta'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export type ImportMode = (typeof IMPORT_MODES)[number];

const inventoryImportSchema = new Schema(
  {
    /** sha256 of the file's bytes: the same file uploaded again is the same import. */
    sha256: { type: String, required: true },
    fileName: { type: String, default: '' },
    bytes: { type: Number, required: true },
    mode: { type: String, enum: IMPORT_MODES, required: true },
    status: { type: String, enum: IMPORT_STATUSES, required: true, default: 'queued' },
    rowsTotal: { type: Number, required: true },
    rowsDone: { type: Number, required: true, default: 0 },
    applied: { type: Number, required: true, default: 0 },
    rejected: { type: Number, required: true, default: 0 },
    /** Batches fully applied and counted: a retried job skips them (resume after a crash). */
    batchesDone: { type: Number, required: true, default: 0 },
    failureReason: { type: String, default: null },
    createdBy: { type: String, required: true },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
inventoryImportSchema.index({ sha256: 1 }, { unique: true });

const importChunkSchema = new Schema(
  {
    importId: { type: Schema.Types.ObjectId, required: true },
    n: { type: Number, required: true },
    data: { type: Buffer, required: true },
  },
  { versionKey: false },
);
importChunkSchema.index({ importId: 1, n: 1 }, { unique: true });

const importErrorSchema = new Schema(
  {
    importId: { type: Schema.Types.ObjectId, required: true },
    line: { type: Number, required: true },
    sku: { type: String, default: '' },
    reason: { type: String, required: true },
  },
  { versionKey: false },
);
// Unique, so a batch redone after a crash cannot record its rejections twice.
importErrorSchema.index({ importId: 1, line: 1 }, { unique: true });

export type InventoryImportDoc = InferSchemaType<typeof inventoryImportSchema>;
export type InventoryImportModel = Model<InventoryImportDoc>;
type ImportChunkDoc = InferSchemaType<typeof importChunkSchema>;
type ImportErrorDoc = InferSchemaType<typeof importErrorSchema>;
export type ImportChunkModel = Model<ImportChunkDoc>;
export type ImportErrorModel = Model<ImportErrorDoc>;

export function inventoryImportModels(connection: Connection) {
  return {
    InventoryImport: (connection.models.InventoryImport as InventoryImportModel | undefined) ?? connection.model<InventoryImportDoc>('InventoryImport', inventoryImportSchema),
    InventoryImportChunk:
      (connection.models.InventoryImportChunk as ImportChunkModel | undefined) ?? connection.model<ImportChunkDoc>('InventoryImportChunk', importChunkSchema, 'inventoryimportchunks'),
    InventoryImportError:
      (connection.models.InventoryImportError as ImportErrorModel | undefined) ?? connection.model<ImportErrorDoc>('InventoryImportError', importErrorSchema, 'inventoryimporterrors'),
  };
}
export type InventoryImportModels = ReturnType<typeof inventoryImportModels>;
