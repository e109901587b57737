// Import jobs, their uploaded files (chunked) and their rejected lines. Plain objects out; the
// only code that touches the inventory import models.
import { Readable } from 'node:stream';
import { Types } from 'mongoose';
import type { ImportMode, ImportStatus, InventoryImportModels } from '../../models/InventoryImport';
import { isDuplicateKey } from '../errors';
import { lean } from '../lean';

export interface InventoryImportRecord {
  _id: Types.ObjectId;
  sha256: string;
  fileName: string;
  bytes: number;
  mode: ImportMode;
  status: ImportStatus;
  rowsTotal: number;
  rowsDone: number;
  applied: number;
  rejected: number;
  batchesDone: number;
  failureReason: string | null;
  createdBy: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ImportRejection {
  readonly line: number;
  readonly sku: string;
  readonly reason: string;
}

export interface NewImport {
  readonly sha256: string;
  readonly fileName: string;
  readonly mode: ImportMode;
  readonly rowsTotal: number;
  readonly createdBy: string;
}

export interface BatchOutcome {
  readonly batch: number;
  readonly rows: number;
  readonly applied: number;
  readonly rejections: readonly ImportRejection[];
}

const CHUNK_BYTES = 255 * 1024;

export type InventoryImportRepository = ReturnType<typeof createInventoryImportRepository>;

export function createInventoryImportRepository(models: InventoryImportModels) {
  const { InventoryImport, InventoryImportChunk, InventoryImportError } = models;

  return {
    /**
     * Stores the file, then the import that owns it: an import never exists without its whole file.
     * `created: false` when an import of the same bytes exists (that one is returned, ours dropped).
     */
    async create(input: NewImport, file: Buffer): Promise<{ record: InventoryImportRecord; created: boolean }> {
      const existing = await lean<InventoryImportRecord | null>(InventoryImport.findOne({ sha256: input.sha256 }));
      if (existing) return { record: existing, created: false };
      const _id = new Types.ObjectId();
      const chunks = [];
      for (let n = 0; n * CHUNK_BYTES < file.length || n === 0; n += 1) chunks.push({ importId: _id, n, data: file.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES) });
      await InventoryImportChunk.insertMany(chunks);
      try {
        const doc = await InventoryImport.create({ _id, ...input, bytes: file.length });
        return { record: doc.toObject() as unknown as InventoryImportRecord, created: true };
      } catch (err) {
        await InventoryImportChunk.deleteMany({ importId: _id });
        if (!isDuplicateKey(err)) throw err;
        // A racing upload of the same bytes won.
        const winner = await lean<InventoryImportRecord | null>(InventoryImport.findOne({ sha256: input.sha256 }));
        if (!winner) throw err;
        return { record: winner, created: false };
      }
    },

    findById(id: string): Promise<InventoryImportRecord | null> {
      return lean<InventoryImportRecord | null>(InventoryImport.findById(id));
    },

    /** Imports still waiting since before `before` (their queue job may have been lost). */
    async findQueuedBefore(before: Date, limit: number): Promise<string[]> {
      const docs = await lean<{ _id: Types.ObjectId }[]>(InventoryImport.find({ status: 'queued', createdAt: { $lt: before } }, { _id: 1 }).sort({ _id: 1 }).limit(limit));
      return docs.map((d) => d._id.toString());
    },

    /** Marks the import running; null when it is finished (a duplicate job) or unknown. */
    claim(id: string): Promise<InventoryImportRecord | null> {
      return lean<InventoryImportRecord | null>(
        InventoryImport.findOneAndUpdate({ _id: id, status: { $in: ['queued', 'running'] } }, { $set: { status: 'running', startedAt: new Date() } }, { returnDocument: 'after' }),
      );
    },

    /** The uploaded bytes, streamed chunk by chunk (never the whole file at once). */
    openFile(id: string): Readable {
      const cursor = InventoryImportChunk.find({ importId: new Types.ObjectId(id) }).sort({ n: 1 }).lean().cursor();
      return Readable.from((async function* bytes() {
        for await (const chunk of cursor) yield Buffer.from((chunk.data as unknown as { buffer: ArrayBuffer }).buffer ?? chunk.data);
      })());
    },

    /**
     * Counts one batch. Guarded on `batchesDone` so a batch is counted once; rejections are keyed by
     * line, so recording them again after a crash adds nothing.
     */
    async recordBatch(id: string, outcome: BatchOutcome): Promise<void> {
      const importId = new Types.ObjectId(id);
      if (outcome.rejections.length) {
        await InventoryImportError.insertMany(outcome.rejections.map((r) => ({ importId, ...r })), { ordered: false }).catch((err: unknown) => {
          if (!isDuplicateKey(err)) throw err;
        });
      }
      await InventoryImport.updateOne(
        { _id: importId, batchesDone: outcome.batch - 1 },
        { $inc: { rowsDone: outcome.rows, applied: outcome.applied, rejected: outcome.rejections.length }, $set: { batchesDone: outcome.batch } },
      );
    },

    async finish(id: string, status: 'done' | 'failed', failureReason: string | null = null): Promise<void> {
      await InventoryImport.updateOne({ _id: id }, { $set: { status, failureReason, finishedAt: new Date() } });
    },

    /** Rejected lines in line order, from a cursor. */
    rejections(id: string): AsyncIterable<ImportRejection> {
      return InventoryImportError.find({ importId: new Types.ObjectId(id) }, { _id: 0, line: 1, sku: 1, reason: 1 }).sort({ line: 1 }).lean().cursor() as unknown as AsyncIterable<ImportRejection>;
    },

    firstRejections(id: string, limit: number): Promise<ImportRejection[]> {
      return lean<ImportRejection[]>(InventoryImportError.find({ importId: new Types.ObjectId(id) }, { _id: 0, line: 1, sku: 1, reason: 1 }).sort({ line: 1 }).limit(limit));
    },
  };
}
