// fetchPage's offset totals: a page that does not fill up is the last one, so no count is needed.
import { fetchPage, planList, type SortSpec } from '../../src/services/listing/listing';

const SPEC: SortSpec = { defaultSort: 'n:asc', fields: { n: { storage: 'n', type: 'number', defaultDirection: 1 } } };
const ROWS = Array.from({ length: 25 }, (_, i) => ({ _id: `id${i}`, n: i }));

function source() {
  const count = jest.fn(async () => ROWS.length);
  const fetch = jest.fn(async (skip: number, limit: number) => ROWS.slice(skip, skip + limit));
  return { fetch, count };
}

async function page(query: { page?: number; limit?: number }, src = source()) {
  const result = await fetchPage(planList(query, SPEC, 'secret'), SPEC, 'secret', src);
  return { ...result, count: src.count };
}

describe('fetchPage (offset)', () => {
  it('when the page fills up and rows follow, then the total comes from the count', async () => {
    const { rows, meta, count } = await page({ page: 1, limit: 10 });
    expect(rows).toHaveLength(10);
    expect(meta).toMatchObject({ total: 25, totalPages: 3, hasNext: true });
    expect(count).toHaveBeenCalledTimes(1);
  });

  it('when the page is the last one, then the total is known without a count', async () => {
    const { rows, meta, count } = await page({ page: 3, limit: 10 });
    expect(rows).toHaveLength(5);
    expect(meta).toMatchObject({ total: 25, totalPages: 3, hasNext: false, hasPrev: true });
    expect(count).not.toHaveBeenCalled();
  });

  it('when the last page is exactly full, then no count is needed either', async () => {
    const { meta, count } = await page({ page: 5, limit: 5 });
    expect(meta).toMatchObject({ total: 25, totalPages: 5, hasNext: false });
    expect(count).not.toHaveBeenCalled();
  });

  it('when the page lies past the end, then the count still gives the real total', async () => {
    const { rows, meta, count } = await page({ page: 9, limit: 10 });
    expect(rows).toEqual([]);
    expect(meta).toMatchObject({ total: 25, totalPages: 3, hasNext: false });
    expect(count).toHaveBeenCalledTimes(1);
  });

  it('when nothing matches, then page 1 says total 0 without a count', async () => {
    const empty = { fetch: jest.fn(async (_skip: number, _limit: number) => [] as typeof ROWS), count: jest.fn(async () => 0) };
    const { meta } = await page({ page: 1, limit: 10 }, empty);
    expect(meta).toMatchObject({ total: 0, totalPages: 0, hasNext: false });
    expect(empty.count).not.toHaveBeenCalled();
  });
});
