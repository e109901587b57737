// The abandoned-hold sweep decides by the order: saved → the hold goes and the stock stays sold;
// never saved → the units go back, once.
import { Types } from 'mongoose';
import { createAbandonedHoldSweep } from '../../src/services/orders/holds';
import type { StockHold } from '../../src/repositories/product.repository';

describe('abandoned stock hold sweep', () => {
  it('when a placement died before its order was saved, then its units go back; when the order was saved, then only the hold is cleared', async () => {
    const saved = new Types.ObjectId().toHexString();
    const lost = new Types.ObjectId().toHexString();
    const holds: StockHold[] = [
      { productId: 'p1', order: saved, line: 0, variantId: 'v1', quantity: 2 },
      { productId: 'p1', order: lost, line: 0, variantId: 'v1', quantity: 3 },
    ];
    const stock = new Map([['p1', 10]]);
    const products = {
      async findHoldsPlacedBefore() {
        return [...holds];
      },
      async releaseHold({ productId: id, quantity, order }: StockHold) {
        const i = holds.findIndex((h) => h.productId === id && h.order === order && h.quantity === quantity);
        if (i < 0) return false;
        holds.splice(i, 1);
        stock.set(id, stock.get(id)! + quantity);
        return true;
      },
      async clearHolds(ids: readonly string[], order: string) {
        for (let i = holds.length - 1; i >= 0; i -= 1) if (ids.includes(holds[i].productId) && holds[i].order === order) holds.splice(i, 1);
      },
    };
    const orders = { findById: async (id: string) => (id === saved ? ({ _id: id } as never) : null) };
    const sweep = createAbandonedHoldSweep({ products, orders }, 120_000);

    expect(await sweep()).toEqual({ released: 1, completed: 1 });
    expect(stock.get('p1')).toBe(13);
    expect(holds).toEqual([]);
    // A second run (or a racing one) finds nothing to give back.
    expect(await sweep()).toEqual({ released: 0, completed: 0 });
    expect(stock.get('p1')).toBe(13);
  });
});
