// GET /orders: validated parameters + who asks → filter, sort and page plan. Pure, like the product
// query engine; keyset cursors are HMAC-signed and bound to the sort they were issued for.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Types } from 'mongoose';
import type { OrderStatus } from '../../models/Order';
import { ForbiddenError, ValidationError } from '../../utils/errors';
import { toMinorUnits } from '../query-engine';

export interface OrderListQuery {
  readonly status?: OrderStatus;
  readonly account?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly minTotal?: number;
  readonly maxTotal?: number;
  readonly sort?: OrderSort;
  readonly page?: number;
  readonly limit?: number;
  readonly pagination?: 'offset' | 'cursor';
  readonly cursor?: string;
}

export const ORDER_SORTS = ['createdAt:desc', 'createdAt:asc', 'total:desc', 'total:asc'] as const;
export type OrderSort = (typeof ORDER_SORTS)[number];

export interface OrderActor {
  readonly id: string;
  readonly isStaff: boolean;
}

export interface OrderListPlan {
  readonly filter: Record<string, unknown>;
  readonly sort: Record<string, 1 | -1>;
  readonly field: 'createdAt' | 'totalMinor';
  readonly page: { kind: 'offset'; page: number; limit: number; skip: number } | { kind: 'cursor'; limit: number };
}

const STORAGE = { createdAt: 'createdAt', total: 'totalMinor' } as const;

function cursorError(message: string): ValidationError {
  return new ValidationError('Request validation failed', [{ location: 'query', path: 'cursor', message, type: 'cursor.invalid' }]);
}

const sign = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function encodeOrderCursor(sort: OrderSort, key: Date | number, id: Types.ObjectId, secret: string): string {
  const k = key instanceof Date ? key.toISOString() : key;
  const body = Buffer.from(JSON.stringify({ v: 1, s: sort, k: [k, id.toHexString()] })).toString('base64url');
  return `${body}.${sign(body, secret)}`;
}

export function decodeOrderCursor(cursor: string, sort: OrderSort, secret: string): [Date | number, Types.ObjectId] {
  const [body, mac, extra] = cursor.split('.');
  if (!body || !mac || extra !== undefined) throw cursorError('cursor is malformed');
  const expected = Buffer.from(sign(body, secret));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw cursorError('cursor has been tampered with');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { v?: number; s?: string; k?: unknown[] };
  if (payload.v !== 1 || payload.s !== sort) throw cursorError('cursor was issued for a different sort');
  const [key, id] = payload.k ?? [];
  if (typeof id !== 'string' || !/^[0-9a-f]{24}$/.test(id)) throw cursorError('cursor is malformed');
  const isDate = sort.startsWith('createdAt');
  if (isDate ? typeof key !== 'string' || Number.isNaN(Date.parse(key)) : typeof key !== 'number') throw cursorError('cursor is malformed');
  return [isDate ? new Date(key as string) : (key as number), new Types.ObjectId(id)];
}

function range<T>(min: T | undefined, max: T | undefined, maxExclusive = false): Record<string, T> | undefined {
  if (min === undefined && max === undefined) return undefined;
  return { ...(min !== undefined && { $gte: min }), ...(max !== undefined && { [maxExclusive ? '$lt' : '$lte']: max }) };
}

/** Customers are confined to their own orders; asking for someone else's account is refused, not ignored. */
export function buildOrderFilter(query: OrderListQuery, actor: OrderActor): Record<string, unknown> {
  if (!actor.isStaff && query.account !== undefined && query.account !== actor.id) {
    throw new ForbiddenError('Customers may list only their own orders');
  }
  const filter: Record<string, unknown> = {};
  const account = actor.isStaff ? query.account : actor.id;
  if (account) filter.account = new Types.ObjectId(account);
  if (query.status) filter.status = query.status;
  const created = range(query.from, query.to, true);
  if (created) filter.createdAt = created;
  const total = range(
    query.minTotal === undefined ? undefined : toMinorUnits(query.minTotal),
    query.maxTotal === undefined ? undefined : toMinorUnits(query.maxTotal),
  );
  if (total) filter.totalMinor = total;
  return filter;
}

export function planOrderList(query: OrderListQuery, actor: OrderActor, secret: string): OrderListPlan {
  const sortName = query.sort ?? 'createdAt:desc';
  const [api, dir] = sortName.split(':') as ['createdAt' | 'total', 'asc' | 'desc'];
  const field = STORAGE[api];
  const direction = dir === 'asc' ? 1 : -1;
  const limit = query.limit ?? 20;
  let filter = buildOrderFilter(query, actor);
  // `_id` breaks ties so pages never repeat or skip orders created in the same millisecond.
  const sort = { [field]: direction, _id: direction } as Record<string, 1 | -1>;
  const isCursor = query.pagination === 'cursor' || query.cursor !== undefined;
  if (!isCursor) {
    const page = query.page ?? 1;
    return { filter, sort, field, page: { kind: 'offset', page, limit, skip: (page - 1) * limit } };
  }
  if (query.page !== undefined) throw cursorError('page and cursor pagination cannot be combined');
  if (query.cursor) {
    const [key, id] = decodeOrderCursor(query.cursor, sortName, secret);
    const op = direction === 1 ? '$gt' : '$lt';
    filter = { ...filter, $and: [{ $or: [{ [field]: { [op]: key } }, { [field]: key, _id: { [op]: id } }] }] };
  }
  return { filter, sort, field, page: { kind: 'cursor', limit } };
}
