// The compensating placement path with fakes: reverse release, retried releases, and a saved
// order whose insert reply was lost keeps its stock.
import { Types } from 'mongoose';
import type { NewOrder, OrderRecord, OrderRepository } from '../../src/repositories/order.repository';
import type { ProductRecord, ProductRepository } from '../../src/repositories/product.repository';
import { createOrderPlacement } from '../../src/services/orders/placement';
import type { TransactionRunner } from '../../src/services/transactions';

const ADDRESS = { fullName: 'A', line1: 'B', city: 'C', postalCode: '12345', country: 'GB' };

/** One default variant per product, its id derived from the product's, so lines can name it. */
const variantOf = (id: string) => new Types.ObjectId(`ff${id.slice(2)}`);

function product(id: string, stock: number): ProductRecord {
  const variant = { _id: variantOf(id), sku: `SKU-${id.slice(-4)}`, optionValues: [], optionTags: [], priceMinor: null, stock, active: true };
  return { _id: new Types.ObjectId(id), name: `P ${id.slice(-4)}`, sku: `SKU-${id.slice(-4)}`, priceMinor: 500, currency: 'USD', stock, variants: [variant], status: 'active', deletedAt: null } as unknown as ProductRecord;
}

type Line = { productId: string; variantId: string; quantity: number };

function fakes(stock: Record<string, number>, options: { createFails?: 'lost-reply' | 'error'; releaseFailures?: number } = {}) {
  const catalog = new Map(Object.entries(stock));
  const holds = new Map<string, Set<string>>();
  const log: string[] = [];
  let releaseFailures = options.releaseFailures ?? 0;
  let saved: OrderRecord | null = null;
  const products = {
    async findManyByIds(ids: readonly string[]) {
      return ids.filter((id) => catalog.has(id)).map((id) => product(id, catalog.get(id)!));
    },
    async reserveStock({ productId: id, variantId, quantity: q }: Line, o: { hold?: { order: string; line: number } } = {}) {
      expect(variantId).toBe(variantOf(id).toHexString());
      if ((catalog.get(id) ?? 0) < q) return false;
      catalog.set(id, catalog.get(id)! - q);
      if (o.hold) holds.set(id, new Set([...(holds.get(id) ?? []), `${o.hold.order}:${o.hold.line}`]));
      log.push(`reserve ${id.slice(-1)}`);
      return true;
    },
    async releaseHold({ productId: id, quantity: q, order, line }: Line & { order: string; line: number }) {
      const hold = `${order}:${line}`;
      if (releaseFailures > 0) {
        releaseFailures -= 1;
        throw new Error('network');
      }
      if (!holds.get(id)?.delete(hold)) return false;
      catalog.set(id, catalog.get(id)! + q);
      log.push(`release ${id.slice(-1)}`);
      return true;
    },
    async clearHolds(ids: readonly string[], order: string) {
      for (const id of ids) for (const key of [...(holds.get(id) ?? [])]) if (key.startsWith(`${order}:`)) holds.get(id)!.delete(key);
    },
  } as unknown as ProductRepository;
  const orders = {
    async create(doc: NewOrder) {
      const record = { ...doc, _id: doc._id } as unknown as OrderRecord;
      if (options.createFails === 'lost-reply') {
        saved = record;
        throw new Error('connection reset');
      }
      if (options.createFails === 'error') throw new Error('write failed');
      return record;
    },
    async findById() {
      return saved;
    },
  } as unknown as OrderRepository;
  const transactions: TransactionRunner = { supportsTransactions: async () => false, run: () => Promise.reject(new Error('no transactions')) };
  return { placement: createOrderPlacement({ orders, products, transactions }), catalog, holds, log };
}

const ids = ['000000000000000000000001', '000000000000000000000002', '000000000000000000000003'];
const account = new Types.ObjectId().toHexString();
const order = (...q: number[]) => ({ items: q.map((quantity, i) => ({ productId: ids[i], quantity })), shippingAddress: ADDRESS });

describe('order placement without transactions', () => {
  it('when the third line is short, then the first two are released in reverse order and stock is restored', async () => {
    const f = fakes({ [ids[0]]: 5, [ids[1]]: 5, [ids[2]]: 1 });
    await expect(f.placement.place(account, order(1, 2, 3))).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    expect(f.log).toEqual(['reserve 1', 'reserve 2', 'release 2', 'release 1']);
    expect([...f.catalog.values()]).toEqual([5, 5, 1]);
  });

  it('when saving the order fails, then every reservation is released', async () => {
    const f = fakes({ [ids[0]]: 5, [ids[1]]: 5 }, { createFails: 'error' });
    await expect(f.placement.place(account, order(2, 2))).rejects.toThrow('write failed');
    expect([...f.catalog.values()]).toEqual([5, 5]);
  });

  it('when a release fails transiently, then it is retried and the stock still comes back once', async () => {
    const f = fakes({ [ids[0]]: 5, [ids[1]]: 0 }, { releaseFailures: 2 });
    await expect(f.placement.place(account, order(2, 1))).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    expect(f.catalog.get(ids[0])).toBe(5);
  });

  it('when the insert reply is lost but the order was saved, then its stock is kept and the order returned', async () => {
    const f = fakes({ [ids[0]]: 5 }, { createFails: 'lost-reply' });
    const record = await f.placement.place(account, order(2));
    expect(record.items[0]).toMatchObject({ quantity: 2, unitPriceMinor: 500 });
    expect(f.catalog.get(ids[0])).toBe(3);
    expect(f.holds.get(ids[0])?.size ?? 0).toBe(0);
  });

  it('when a product is unknown, then nothing is reserved', async () => {
    const f = fakes({ [ids[0]]: 5 });
    await expect(f.placement.place(account, order(1, 1))).rejects.toMatchObject({ code: 'PRODUCT_UNAVAILABLE' });
    expect(f.log).toEqual([]);
  });
});
