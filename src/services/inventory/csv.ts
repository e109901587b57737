// The inventory CSV format, pure: the header names the mode (`sku,stock` absolute or `sku,delta`
// signed), each row one SKU. Decides what a row means or why it is refused; nothing here reads
// or writes data.
import type { ImportMode } from '../../models/InventoryImport';
import { UnprocessableError } from '../../utils/errors';

export const MAX_IMPORT_ROWS = 100_000;
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/** Rows per bulkWrite. */
export const IMPORT_BATCH_ROWS = 1000;
const MAX_STOCK = 1_000_000_000;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$/;
const INTEGER = /^[+-]?\d{1,10}$/;

export interface ImportRow {
  readonly line: number;
  readonly sku: string;
  /** The new stock (`stock` mode) or the change (`delta` mode). */
  readonly value: number;
}

function refuse(message: string, code: string): UnprocessableError {
  return new UnprocessableError(message, code, { details: [{ location: 'body', path: 'file', message }] });
}

function firstLine(file: Buffer): string {
  const end = file.indexOf(0x0a);
  return file.subarray(0, end === -1 ? Math.min(file.length, 200) : Math.min(end, 200)).toString('utf8').replace(/^\uFEFF/, '').replace(/\r$/, '');
}

/** The file's mode from its header line; 422 for anything else. */
export function readMode(file: Buffer): ImportMode {
  const header = firstLine(file).split(',').map((c) => c.trim().toLowerCase().replace(/^"|"$/g, ''));
  if (header.length === 2 && header[0] === 'sku' && (header[1] === 'stock' || header[1] === 'delta')) return header[1];
  throw refuse('The first line must be the header "sku,stock" (absolute counts) or "sku,delta" (changes)', 'INVALID_CSV_HEADER');
}

/** Data rows (non-blank lines after the header): the progress total, and the 100k bound checked before anything is stored. */
export function countRows(file: Buffer): number {
  let rows = 0;
  let blank = true;
  const start = file.indexOf(0x0a) + 1;
  if (start === 0) return 0;
  for (let i = start; i < file.length; i += 1) {
    const byte = file[i];
    if (byte === 0x0a) {
      if (!blank) rows += 1;
      blank = true;
    } else if (byte !== 0x0d && byte !== 0x20 && byte !== 0x09) blank = false;
  }
  return blank ? rows : rows + 1;
}

export function assertImportable(file: Buffer): { mode: ImportMode; rows: number } {
  const mode = readMode(file);
  const rows = countRows(file);
  if (rows === 0) throw refuse('The file has a header but no rows', 'EMPTY_IMPORT');
  if (rows > MAX_IMPORT_ROWS) throw refuse(`At most ${MAX_IMPORT_ROWS} rows per file (this one has ${rows})`, 'TOO_MANY_ROWS');
  return { mode, rows };
}

/** One parsed record → the row, or the reason it is refused. */
export function readRow(fields: readonly string[], line: number, mode: ImportMode): ImportRow | { line: number; sku: string; reason: string } {
  const sku = (fields[0] ?? '').trim().toUpperCase();
  const raw = (fields[1] ?? '').trim();
  if (fields.length !== 2) return { line, sku, reason: `expected 2 columns (sku,${mode}), got ${fields.length}` };
  if (!SKU.test(sku)) return { line, sku, reason: 'invalid SKU' };
  if (!INTEGER.test(raw)) return { line, sku, reason: `${mode} must be a whole number, got "${raw.slice(0, 20)}"` };
  const value = Number(raw);
  if (Math.abs(value) > MAX_STOCK) return { line, sku, reason: `${mode} out of range (at most ${MAX_STOCK})` };
  if (mode === 'stock' && value < 0) return { line, sku, reason: 'stock cannot be negative' };
  return { line, sku, value };
}

/** csv-stringify cast: a cell that a spreadsheet would run as a formula (=, +, -, @) is shown as text. */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
