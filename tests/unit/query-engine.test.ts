// The query engine's pure functions: each parameter, combinations, invalid input, cursors.
import { Types } from 'mongoose';
import { list, single } from '../../src/middlewares/validate';
import {
  buildFilter,
  buildProjection,
  buildSearchClause,
  decodeCursor,
  encodeCursor,
  escapeRegex,
  keysetFilter,
  parseSort,
  planQuery,
  toMinorUnits,
  toMongoSort,
} from '../../src/services/query-engine';
import { AppError } from '../../src/utils/errors';
import Joi from 'joi';

const PUBLIC = { isStaff: false };
const STAFF = { isStaff: true };
const SECRET = 'unit-test-secret';

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected an error');
}

describe('escapeRegex / buildSearchClause', () => {
  it('when input holds regex metacharacters, then each is escaped and matches literally', () => {
    const escaped = escapeRegex('a.b*c+(d)?[e]{f}|^$\\');
    expect(new RegExp(escaped).test('a.b*c+(d)?[e]{f}|^$\\')).toBe(true);
    expect(new RegExp(escaped).test('aXb')).toBe(false);
  });

  it('when a catastrophic pattern is searched, then it is inert text', () => {
    const clause = buildSearchClause('(a+)+$');
    expect(clause).toEqual({ $or: [{ name: { $regex: '\\(a\\+\\)\\+\\$', $options: 'i' } }, expect.anything(), expect.anything()] });
  });

  it('when two terms are searched, then all terms must match (AND of per-term ORs); any switches to OR', () => {
    const all = buildSearchClause('Phone  apple phone') as { $and: { $or: unknown[] }[] };
    expect(all.$and).toHaveLength(2);
    expect(all.$and[0].$or).toHaveLength(3);
    const any = buildSearchClause('phone apple', 'any') as { $or: unknown[] };
    expect(any.$or).toHaveLength(6);
  });

  it('when searchMode=text, then $text is used', () => {
    expect(buildSearchClause('phone', 'text')).toEqual({ $text: { $search: 'phone' } });
  });
});

describe('buildFilter', () => {
  it('when nothing is asked by the public, then only live active products match', () => {
    expect(buildFilter({}, PUBLIC)).toEqual({ deletedAt: null, status: 'active' });
  });

  it('when staff ask, then status is theirs to choose and deleted products are opt-in', () => {
    expect(buildFilter({}, STAFF)).toEqual({ deletedAt: null });
    expect(buildFilter({ status: 'draft', includeDeleted: true }, STAFF)).toEqual({ status: 'draft' });
    expect(buildFilter({ onlyDeleted: true }, STAFF)).toEqual({ deletedAt: { $ne: null } });
  });

  it('when every filter is combined, then each maps to its stored field and all are ANDed', () => {
    const from = new Date('2026-01-01');
    const to = new Date('2026-02-01');
    const filter = buildFilter(
      { minPrice: 100, maxPrice: 500.5, tags: ['apple', 'samsung'], category: 'phones', inStock: true, minRating: 4, createdFrom: from, createdTo: to, search: 'phone' },
      PUBLIC,
    );
    expect(filter).toEqual({
      deletedAt: null,
      status: 'active',
      priceMaxMinor: { $gte: 10000 },
      priceMinMinor: { $lte: 50050 },
      tags: { $in: ['apple', 'samsung'] },
      category: 'phones',
      stock: { $gt: 0 },
      ratingAverage: { $gte: 4 },
      createdAt: { $gte: from, $lte: to },
      $and: [{ $or: [{ name: { $regex: 'phone', $options: 'i' } }, { description: { $regex: 'phone', $options: 'i' } }, { tags: { $regex: 'phone', $options: 'i' } }] }],
    });
  });

  it('when tagsMode=all or inStock=false, then $all and stock 0', () => {
    expect(buildFilter({ tags: ['a', 'b'], tagsMode: 'all', inStock: false }, PUBLIC)).toMatchObject({ tags: { $all: ['a', 'b'] }, stock: 0 });
  });

  it('when prices have cents, then minor units are exact (no float drift)', () => {
    expect(toMinorUnits(19.99)).toBe(1999);
    expect(toMinorUnits(0.29)).toBe(29);
    expect(toMinorUnits(1_000_000)).toBe(100_000_000);
  });
});

describe('parseSort / toMongoSort', () => {
  it('when no sort is given, then newest first with _id as tie-breaker', () => {
    expect(parseSort(undefined)).toEqual([{ field: 'createdAt', direction: -1 }, { field: '_id', direction: -1 }]);
  });

  it('when several fields are given, then they map to stored fields in order and _id closes the list', () => {
    const terms = parseSort('price:asc,name:desc');
    expect(toMongoSort(terms)).toEqual({ priceMinMinor: 1, name: -1, _id: -1 });
    expect(Object.keys(toMongoSort(terms))).toEqual(['priceMinMinor', 'name', '_id']);
  });

  it('when relevance is asked with text search, then the text score sorts', () => {
    expect(toMongoSort(parseSort('relevance,price:asc', { textSearch: true }))).toEqual({ score: { $meta: 'textScore' }, priceMinMinor: 1, _id: 1 });
  });

  it.each(['stock:asc', 'price:up', 'price:asc,price:desc', 'relevance', '', 'price;drop'])('when sort is "%s", then 400', (raw) => {
    const err = errorOf(() => parseSort(raw));
    expect(err.status).toBe(400);
    expect(err.details).toEqual([expect.objectContaining({ path: 'sort' })]);
  });
});

describe('cursors', () => {
  const terms = parseSort('price:desc');
  const keys = [49999, new Types.ObjectId()];

  it('when a cursor is encoded and decoded with the same sort, then the keys come back typed', () => {
    const dated = parseSort('createdAt:asc');
    const when = new Date('2026-03-04T05:06:07.000Z');
    const id = new Types.ObjectId();
    const decoded = decodeCursor(encodeCursor(dated, [when, id], SECRET), dated, SECRET);
    expect(decoded[0]).toEqual(when);
    expect((decoded[1] as Types.ObjectId).equals(id)).toBe(true);
  });

  it('when the payload is edited, the MAC is swapped, or another secret signs it, then 400 on cursor', () => {
    const cursor = encodeCursor(terms, keys, SECRET);
    const [body, mac] = cursor.split('.');
    const edited = Buffer.from(Buffer.from(body, 'base64url').toString().replace('49999', '1')).toString('base64url');
    for (const bad of [`${edited}.${mac}`, `${body}.${mac.slice(1)}x`, encodeCursor(terms, keys, 'other'), 'garbage', `${body}.${mac}.x`]) {
      const err = errorOf(() => decodeCursor(bad, terms, SECRET));
      expect(err.status).toBe(400);
      expect(err.details).toEqual([expect.objectContaining({ path: 'cursor' })]);
    }
  });

  it('when a cursor is replayed under a different sort, then 400', () => {
    const cursor = encodeCursor(terms, keys, SECRET);
    expect(errorOf(() => decodeCursor(cursor, parseSort('price:asc'), SECRET)).status).toBe(400);
  });

  it('when building the keyset condition, then each branch fixes the earlier keys and steps past the next', () => {
    const two = parseSort('price:desc,name:asc');
    const id = new Types.ObjectId();
    expect(keysetFilter(two, [500, 'b', id])).toEqual({
      $or: [{ priceMinMinor: { $lt: 500 } }, { priceMinMinor: 500, name: { $gt: 'b' } }, { priceMinMinor: 500, name: 'b', _id: { $gt: id } }],
    });
  });
});

describe('planQuery', () => {
  it('when offset paging, then skip = (page-1)·limit', () => {
    expect(planQuery({ page: 3, limit: 10 }, PUBLIC, SECRET).page).toEqual({ kind: 'offset', page: 3, limit: 10, skip: 20 });
  });

  it('when a cursor is given, then the keyset clause is ANDed with the filter', () => {
    const terms = parseSort('price:asc');
    const cursor = encodeCursor(terms, [100, new Types.ObjectId()], SECRET);
    const plan = planQuery({ sort: 'price:asc', cursor, search: 'a' }, PUBLIC, SECRET);
    expect(plan.page).toMatchObject({ kind: 'cursor', limit: 20 });
    expect((plan.filter.$and as unknown[]).length).toBe(2);
  });

  it('when cursor and page are mixed, or cursor with relevance, then 400', () => {
    expect(errorOf(() => planQuery({ pagination: 'cursor', page: 2 }, PUBLIC, SECRET)).status).toBe(400);
    expect(errorOf(() => planQuery({ pagination: 'cursor', search: 'x', searchMode: 'text', sort: 'relevance' }, PUBLIC, SECRET)).status).toBe(400);
  });

  it.each([{ includeDeleted: true }, { onlyDeleted: true }, { status: 'draft' as const }])('when the public sends %o, then 403', (query) => {
    expect(errorOf(() => planQuery(query, PUBLIC, SECRET)).status).toBe(403);
    expect(() => planQuery(query, STAFF, SECRET)).not.toThrow();
  });

  it('when fields are projected, then the sort keys are fetched too (for the next cursor)', () => {
    expect(buildProjection(['name', 'price'], parseSort('createdAt:desc'))).toEqual({ _id: 1, deletedAt: 1, name: 1, priceMinor: 1, createdAt: 1 });
    expect(buildProjection(undefined, parseSort('price:asc'))).toBeNull();
  });
});

describe('HPP schema helpers', () => {
  const schema = Joi.object({ sort: single(Joi.string()), tags: list(Joi.string().lowercase(), { max: 3 }) });

  it('when a scalar parameter repeats, then it is rejected with a clear message', () => {
    const { error } = schema.validate({ sort: ['a', 'b'] });
    expect(error?.details[0].message).toMatch(/must be given once/);
  });

  it('when a list parameter repeats or uses commas, then both forms give the same de-duplicated list', () => {
    expect(schema.validate({ tags: ['A,b', 'c', 'a'] }).value.tags).toEqual(['a', 'b', 'c']);
    expect(schema.validate({ tags: 'a, b' }).value.tags).toEqual(['a', 'b']);
    expect(schema.validate({ tags: 'a,b,c,d' }).error?.details[0].message).toMatch(/tags/);
  });
});
