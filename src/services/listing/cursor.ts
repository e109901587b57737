// Opaque keyset cursors: base64url(JSON payload) + "." + base64url(HMAC-SHA256). The HMAC makes any
// edit detectable; the payload names the sort it was issued for, so it cannot resume another sort.
// Each resource signs with its own secret, so a cursor cannot cross collections either.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Types } from 'mongoose';
import { ValidationError } from '../../utils/errors';
import { fieldOf, sortSignature } from './sort';
import type { KeysetValue, KeyType, MongoFilter, SortSpec, SortTerm } from './types';

const CURSOR_VERSION = 1;

interface CursorPayload {
  readonly v: number;
  readonly s: string;
  readonly k: readonly (string | number)[];
}

export function cursorError(message: string): ValidationError {
  return new ValidationError('Request validation failed', [{ location: 'query', path: 'cursor', message, type: 'cursor.invalid' }]);
}

function sign(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function serialize(value: KeysetValue): string | number {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Types.ObjectId) return value.toHexString();
  return value;
}

/** Decodes one key back to its BSON type; the type is fixed by the sort whitelist, not the payload. */
function deserialize(field: string, type: KeyType, value: unknown): KeysetValue {
  if (type === 'objectId' && typeof value === 'string' && /^[0-9a-f]{24}$/.test(value)) return new Types.ObjectId(value);
  if (type === 'date' && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
  if (type === 'string' && typeof value === 'string') return value;
  if (type === 'number' && typeof value === 'number' && Number.isFinite(value)) return value;
  throw cursorError(`cursor key for "${field}" is malformed`);
}

export function encodeCursor(terms: readonly SortTerm[], keys: readonly KeysetValue[], secret: string): string {
  const payload: CursorPayload = { v: CURSOR_VERSION, s: sortSignature(terms), k: keys.map(serialize) };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(body, secret)}`;
}

export function decodeCursor(cursor: string, terms: readonly SortTerm[], spec: SortSpec, secret: string): KeysetValue[] {
  const [body, mac, extra] = cursor.split('.');
  if (!body || !mac || extra !== undefined) throw cursorError('cursor is malformed');
  const expected = Buffer.from(sign(body, secret));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw cursorError('cursor has been tampered with');
  let payload: CursorPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorPayload;
  } catch {
    throw cursorError('cursor is malformed');
  }
  if (payload?.v !== CURSOR_VERSION) throw cursorError('cursor version is not supported');
  if (payload.s !== sortSignature(terms)) throw cursorError('cursor was issued for a different sort');
  if (!Array.isArray(payload.k) || payload.k.length !== terms.length) throw cursorError('cursor keys do not match the sort');
  return terms.map((term, i) => deserialize(term.field, fieldOf(spec, term.field).type, payload.k[i]));
}

/** The sort keys of the last row of a page, read from its stored fields. */
export function storedKeys(row: object, terms: readonly SortTerm[], spec: SortSpec): KeysetValue[] {
  const record = row as Record<string, unknown>;
  return terms.map((term) => record[fieldOf(spec, term.field).storage] as KeysetValue);
}

/**
 * Keyset condition "strictly after `keys` in sort order":
 * (a > x) OR (a = x AND b > y) OR (a = x AND b = y AND _id > z), with < for descending terms.
 * An index on the same fields turns this into a seek instead of a skip.
 */
export function keysetFilter(terms: readonly SortTerm[], keys: readonly KeysetValue[], spec: SortSpec): MongoFilter {
  const storage = terms.map((t) => fieldOf(spec, t.field).storage);
  const branches: MongoFilter[] = terms.map((term, i) => {
    const branch: MongoFilter = {};
    for (let j = 0; j < i; j += 1) branch[storage[j]] = keys[j];
    branch[storage[i]] = { [term.direction === 1 ? '$gt' : '$lt']: keys[i] };
    return branch;
  });
  return { $or: branches };
}
