// Bulk inventory: CSV imports (stored, then applied by the worker — import-processor.ts), their
// progress and error reports, and the streamed catalog export. An import's document is written
// before its queue job; a job lost between the two (Redis down) is re-enqueued by the worker's
// stranded-import sweep, so the document is the durable record, like an outbox entry.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { InventoryImportRecord, InventoryImportRepository } from '../../repositories/inventory/import.repository';
import type { VariantStockRepository } from '../../repositories/inventory/variant-stock';
import { NotFoundError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { assertImportable, spreadsheetSafe } from './csv';
import { exportInventoryCsv } from './export';

export interface ImportQueuePort {
  enqueue(importId: string): Promise<void>;
}

export interface InventoryServiceDeps {
  readonly imports: InventoryImportRepository;
  readonly stock: VariantStockRepository;
  readonly queue: ImportQueuePort;
}

export interface ImportView {
  id: string;
  status: InventoryImportRecord['status'];
  mode: InventoryImportRecord['mode'];
  fileName: string;
  bytes: number;
  sha256: string;
  rows: { total: number; done: number };
  applied: number;
  rejected: number;
  /** The first rejected lines; all of them are in the error report. */
  rejections: { line: number; sku: string; reason: string }[];
  failureReason: string | null;
  errorsUrl: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const SAMPLE_REJECTIONS = 20;
/** A queued import whose job has not started this long after upload is enqueued again. */
export const STRANDED_IMPORT_AFTER_MS = 60_000;

export type InventoryService = ReturnType<typeof createInventoryService>;

export function createInventoryService(deps: InventoryServiceDeps) {
  const { imports, stock, queue } = deps;

  async function view(record: InventoryImportRecord): Promise<ImportView> {
    const id = record._id.toString();
    return {
      id,
      status: record.status,
      mode: record.mode,
      fileName: record.fileName,
      bytes: record.bytes,
      sha256: record.sha256,
      rows: { total: record.status === 'done' ? record.rowsDone : record.rowsTotal, done: record.rowsDone },
      applied: record.applied,
      rejected: record.rejected,
      rejections: record.rejected ? await imports.firstRejections(id, SAMPLE_REJECTIONS) : [],
      failureReason: record.failureReason,
      errorsUrl: `/api/v1/inventory/imports/${id}/errors.csv`,
      createdAt: record.createdAt.toISOString(),
      startedAt: record.startedAt?.toISOString() ?? null,
      finishedAt: record.finishedAt?.toISOString() ?? null,
    };
  }

  async function found(id: string): Promise<InventoryImportRecord> {
    const record = await imports.findById(id);
    if (!record) throw new NotFoundError('Import not found', 'IMPORT_NOT_FOUND');
    return record;
  }

  return {
    /**
     * Stores the file and queues its import. The same bytes again return the existing import
     * (`created: false`) and queue nothing new. Header and row bound are checked first (422).
     */
    async upload(file: Buffer, fileName: string, actorId: string): Promise<{ import: ImportView; created: boolean }> {
      const { mode, rows } = assertImportable(file);
      const sha256 = createHash('sha256').update(file).digest('hex');
      const { record, created } = await imports.create({ sha256, fileName: fileName.slice(0, 200), mode, rowsTotal: rows, createdBy: actorId }, file);
      if (created) {
        // Stored is accepted: a queue outage leaves it queued for the stranded-import sweep.
        await queue.enqueue(record._id.toString()).catch((err: unknown) => logger.warn('inventory import stored but not queued; the sweep will queue it', { importId: record._id.toString(), error: err instanceof Error ? err.message : String(err) }));
      }
      return { import: await view(record), created };
    },

    async get(id: string): Promise<ImportView> {
      return view(await found(id));
    },

    /** Every rejected line (line, sku, reason) as CSV, streamed in line order. */
    async errorReport(id: string): Promise<Readable> {
      await found(id);
      const rows = Readable.from(
        (async function* lines() {
          for await (const r of imports.rejections(id)) yield [r.line, r.sku, r.reason];
        })(),
      );
      const csv = stringify({ header: true, columns: ['line', 'sku', 'reason'], cast: { string: spreadsheetSafe } });
      rows.on('error', (err) => csv.destroy(err));
      return rows.pipe(csv);
    },

    exportCsv(): Readable {
      return exportInventoryCsv(stock);
    },

    /** Worker sweep: queues imports whose job never arrived (deterministic job ids make this safe). */
    async enqueueStranded(olderThanMs = STRANDED_IMPORT_AFTER_MS): Promise<{ queued: number }> {
      const ids = await imports.findQueuedBefore(new Date(Date.now() - olderThanMs), 100);
      for (const id of ids) await queue.enqueue(id);
      return { queued: ids.length };
    },
  };
}
