// Applies one inventory import: streams the stored file through csv-parse, 1000 rows at a time;
// each batch is validated (format, duplicates within the file, unknown SKUs, stock below zero) and
// written as one bulkWrite of version-guarded product writes — the staff variant-edit write
// (whole variant list + derived stock/price fields, `version` + 1), carrying the stock alerts it
// crosses as services/stock computes them — then the alerts move to the outbox, the product caches
// are dropped and the batch counted. Safe to run again for the same import (a retried job): counted
// batches are skipped, and a batch's products carry its mark, so no row is applied twice.
import { parse } from 'csv-parse';
import type { Types } from 'mongoose';
import type { ImportMode } from '../../models/InventoryImport';
import type { ImportRejection, InventoryImportRepository } from '../../repositories/inventory/import.repository';
import type { StockTarget, VariantStockRepository, VersionedWrite } from '../../repositories/inventory/variant-stock';
import { logger } from '../../utils/logger';
import { withVariants } from '../products/variants';
import type { StockWriter } from '../stock/stock.service';
import { IMPORT_BATCH_ROWS, readRow, type ImportRow } from './csv';

export interface ImportProcessorDeps {
  readonly imports: InventoryImportRepository;
  readonly stock: VariantStockRepository;
  /** The stock-write path's crossing detection (back-in-stock, low-stock alerts) for bulk writes. */
  readonly alerts: Pick<StockWriter, 'alertsOfWrite' | 'moveAlerts'>;
  /** Drops cached product answers after their stock changed (products.invalidate). */
  readonly invalidateProducts: (ids: readonly string[]) => Promise<void>;
  readonly batchRows?: number;
}

/** Rounds against concurrent writers (each miss means a sale or an edit changed that product first). */
const MAX_ROUNDS = 10;

function nextStock(mode: ImportMode, current: number, value: number): number {
  return mode === 'stock' ? value : current + value;
}

export function createImportProcessor(deps: ImportProcessorDeps) {
  const { imports, stock, alerts, invalidateProducts } = deps;
  const batchRows = deps.batchRows ?? IMPORT_BATCH_ROWS;

  /** Plans the version-guarded write of one product; rows that would take stock below zero are refused. */
  function planProduct(product: StockTarget, rows: readonly ImportRow[], mode: ImportMode, rejections: ImportRejection[]): { write: VersionedWrite; rows: ImportRow[] } | null {
    const bySku = new Map(rows.map((r) => [r.sku, r]));
    const accepted: ImportRow[] = [];
    const variants = product.variants.map((v) => {
      const row = bySku.get(v.sku);
      if (!row) return v;
      const after = nextStock(mode, v.stock, row.value);
      if (after < 0) {
        rejections.push({ line: row.line, sku: row.sku, reason: `stock would go below zero (${v.stock} ${row.value})` });
        return v;
      }
      accepted.push(row);
      return { ...v, stock: after };
    });
    if (!accepted.length) return null;
    const changes = withVariants(variants, product.priceMinor);
    const write = { productId: product._id, expectedVersion: product.version, changes, alerts: alerts.alertsOfWrite(product as never, changes) };
    return { write, rows: accepted };
  }

  /** Applies valid rows; returns how many applied, adding refused ones to `rejections`. */
  async function applyRows(rows: readonly ImportRow[], mode: ImportMode, mark: string, rejections: ImportRejection[]): Promise<number> {
    let pending: ImportRow[] = [...rows];
    let applied = 0;
    for (let round = 0; round < MAX_ROUNDS && pending.length; round += 1) {
      const owners = new Map<string, StockTarget>();
      for (const product of await stock.findBySkus(pending.map((r) => r.sku))) for (const v of product.variants) owners.set(v.sku, product);
      const groups = new Map<string, { product: StockTarget; rows: ImportRow[] }>();
      for (const row of pending) {
        const product = owners.get(row.sku);
        if (!product) rejections.push({ line: row.line, sku: row.sku, reason: 'unknown SKU' });
        else if (product.deletedAt) rejections.push({ line: row.line, sku: row.sku, reason: 'the product is deleted' });
        else {
          const key = product._id.toString();
          const group = groups.get(key) ?? { product, rows: [] };
          group.rows.push(row);
          groups.set(key, group);
        }
      }
      const planned: { write: VersionedWrite; rows: ImportRow[] }[] = [];
      for (const { product, rows: own } of groups.values()) {
        // A retried batch: this product already took the batch's rows before the crash.
        if (product.stockImports?.includes(mark)) applied += own.length;
        else {
          const plan = planProduct(product, own, mode, rejections);
          if (plan) planned.push(plan);
        }
      }
      const matched = await stock.writeVersioned(planned.map((p) => p.write), mark);
      const written = matched === planned.length ? null : await stock.markedAmong(planned.map((p) => p.write.productId), mark);
      const changed: Types.ObjectId[] = [];
      pending = [];
      for (const plan of planned) {
        if (!written || written.has(plan.write.productId.toString())) {
          applied += plan.rows.length;
          changed.push(plan.write.productId);
          await alerts.moveAlerts(plan.write.productId.toString(), plan.write.alerts ?? []);
        } else pending.push(...plan.rows);
      }
      if (changed.length) await invalidateProducts(changed.map((id) => id.toString()));
    }
    for (const row of pending) rejections.push({ line: row.line, sku: row.sku, reason: 'the product kept changing during the import; upload a new file for this row' });
    return applied;
  }

  return async function processImport(importId: string): Promise<void> {
    const record = await imports.claim(importId);
    if (!record) return;
    const seen = new Map<string, number>();
    let batch: { line: number; fields: string[] }[] = [];
    let batchNo = 0;

    const flush = async () => {
      batchNo += 1;
      const rejections: ImportRejection[] = [];
      const valid: ImportRow[] = [];
      for (const { line, fields } of batch) {
        const row = readRow(fields, line, record.mode);
        if ('reason' in row) rejections.push(row);
        else if (seen.has(row.sku)) rejections.push({ line, sku: row.sku, reason: `duplicate SKU in the file (first on line ${seen.get(row.sku)})` });
        else {
          seen.set(row.sku, line);
          valid.push(row);
        }
      }
      const rows = batch.length;
      batch = [];
      if (batchNo <= record.batchesDone) return; // counted by an earlier run of this job
      const applied = await applyRows(valid, record.mode, `${importId}:${batchNo}`, rejections);
      await imports.recordBatch(importId, { batch: batchNo, rows, applied, rejections });
    };

    try {
      const parser = imports.openFile(importId).pipe(parse({ bom: true, from_line: 2, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, info: true }));
      for await (const { record: fields, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        batch.push({ line: info.lines, fields });
        if (batch.length >= batchRows) await flush();
      }
      if (batch.length) await flush();
      await imports.finish(importId, 'done');
      logger.info('inventory import done', { importId, batches: batchNo });
    } catch (err) {
      // A file csv-parse cannot read (e.g. an unclosed quote) fails the import; anything else is
      // infrastructure and is thrown, so the queue retries the job (it resumes where it stopped).
      if (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('CSV_')) {
        await imports.finish(importId, 'failed', `The file is not valid CSV: ${err.message.slice(0, 200)}`);
        return;
      }
      throw err;
    }
  };
}
export type ImportProcessor = ReturnType<typeof createImportProcessor>;
