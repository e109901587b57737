// The wishlist repository's contract: bounded, idempotent adds that settle under interleaved
// writes, removal, the back-in-stock opt-out and the watcher pages of the fan-out.
import { Types } from 'mongoose';
import { Wishlist } from '../../support/models';
import { createWishlistRepository } from '../../../src/repositories/wishlist.repository';
import { clearTestDatabase, useTestDatabase } from '../../support/db';

useTestDatabase();

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const oid = () => new Types.ObjectId().toHexString();
const item = () => ({ productId: oid(), variantId: oid() });

describe('WishlistRepository', () => {
  const repo = createWishlistRepository(Wishlist);

  afterEach(async () => {
    jest.restoreAllMocks();
    await clearTestDatabase();
  });

  it('when an account never used its wishlist, then there is none; the first add creates it with notifications on', async () => {
    const account = oid();
    expect(await repo.findByAccount(account)).toBeNull();
    const first = item();
    expect(await repo.addItem(account, first, 10, at(0))).toBe('added');
    expect(await repo.findByAccount(account)).toEqual({ accountId: account, items: [{ ...first, addedAt: at(0) }], notifyBackInStock: true });
  });

  it('when the same variant is added again, then it is reported present and kept once', async () => {
    const account = oid();
    const one = item();
    await repo.addItem(account, one, 10, at(0));
    expect(await repo.addItem(account, one, 10, at(1))).toBe('present');
    expect((await repo.findByAccount(account))!.items).toHaveLength(1);
  });

  it('when the list holds maxItems, then another add is refused as full and nothing is pushed', async () => {
    const account = oid();
    await repo.addItem(account, item(), 2, at(0));
    await repo.addItem(account, item(), 2, at(1));
    expect(await repo.addItem(account, item(), 2, at(2))).toBe('full');
    expect((await repo.findByAccount(account))!.items).toHaveLength(2);
  });

  it('when an item is removed between a refused add and the re-read, then the add is retried and succeeds', async () => {
    const account = oid();
    const old = item();
    await repo.addItem(account, old, 1, at(0));
    const realFindOne = Wishlist.findOne.bind(Wishlist);
    jest.spyOn(Wishlist, 'findOne').mockImplementationOnce(((filter: object, projection: object) => ({
      lean: async () => {
        await repo.removeItem(account, old.variantId); // another request empties the list
        return realFindOne(filter, projection).lean();
      },
    })) as unknown as typeof Wishlist.findOne);
    const fresh = item();
    expect(await repo.addItem(account, fresh, 1, at(1))).toBe('added');
    expect((await repo.findByAccount(account))!.items.map((i) => i.variantId)).toEqual([fresh.variantId]);
  });

  it('when the list keeps changing under every attempt, then the add gives up with an error instead of looping', async () => {
    const account = oid();
    await repo.addItem(account, item(), 1, at(0));
    jest.spyOn(Wishlist, 'findOne').mockImplementation((() => ({ lean: async () => ({ items: [] }) })) as unknown as typeof Wishlist.findOne);
    await expect(repo.addItem(account, item(), 1, at(1))).rejects.toThrow('wishlist add did not settle');
  });

  it('when an add fails for a reason other than the unique account, then the error reaches the caller', async () => {
    jest.spyOn(Wishlist, 'updateOne').mockRejectedValueOnce(new Error('write concern failed'));
    await expect(repo.addItem(oid(), item(), 10, at(0))).rejects.toThrow('write concern failed');
  });

  it('when a variant is removed, then it reports whether it was on the list', async () => {
    const account = oid();
    const one = item();
    await repo.addItem(account, one, 10, at(0));
    expect(await repo.removeItem(account, one.variantId)).toBe(true);
    expect(await repo.removeItem(account, one.variantId)).toBe(false);
    expect(await repo.removeItem(oid(), one.variantId)).toBe(false);
  });

  it('when notifications are turned off before any add, then an empty list is created with the opt-out', async () => {
    const account = oid();
    expect(await repo.setNotifyBackInStock(account, false)).toEqual({ accountId: account, items: [], notifyBackInStock: false });
    expect(await repo.setNotifyBackInStock(account, true)).toMatchObject({ notifyBackInStock: true });
    expect(await Wishlist.countDocuments()).toBe(1);
  });

  it('when two first-ever writes of an account race and ours loses the insert, then the winner\'s list gets the opt-out', async () => {
    const account = oid();
    const winnerItem = item();
    jest.spyOn(Wishlist, 'findOneAndUpdate').mockImplementationOnce((() => ({
      lean: async () => {
        await repo.addItem(account, winnerItem, 10, at(0)); // the other request inserts first
        throw Object.assign(new Error('E11000 duplicate key error'), { code: 11000 });
      },
    })) as unknown as typeof Wishlist.findOneAndUpdate);
    expect(await repo.setNotifyBackInStock(account, false)).toEqual({ accountId: account, items: [{ ...winnerItem, addedAt: at(0) }], notifyBackInStock: false });
    expect(await Wishlist.countDocuments()).toBe(1);
  });

  it('when changing the opt-out fails for another reason, then the error reaches the caller', async () => {
    jest.spyOn(Wishlist, 'findOneAndUpdate').mockImplementationOnce((() => ({ lean: () => Promise.reject(new Error('not primary')) })) as unknown as typeof Wishlist.findOneAndUpdate);
    await expect(repo.setNotifyBackInStock(oid(), false)).rejects.toThrow('not primary');
  });

  it('when a list was stored without items or the opt-out flag, then it reads as empty with notifications on', async () => {
    const account = new Types.ObjectId();
    await Wishlist.collection.insertOne({ account });
    expect(await repo.findByAccount(account.toHexString())).toEqual({ accountId: account.toHexString(), items: [], notifyBackInStock: true });
  });

  it('when watchers are paged, then only accounts that added the variant by the cut-off and want emails come, in account order after the cursor', async () => {
    const variant = item();
    const [a, b, c, late, optedOut] = Array.from({ length: 5 }, () => new Types.ObjectId()).sort((x, y) => x.toHexString().localeCompare(y.toHexString())).map((id) => id.toHexString());
    for (const account of [c, a, b, optedOut]) await repo.addItem(account, variant, 10, at(0));
    await repo.addItem(late, variant, 10, at(100));
    await repo.setNotifyBackInStock(optedOut, false);
    await repo.addItem(oid(), item(), 10, at(0)); // another variant
    expect(await repo.findWatchers(variant.variantId, at(50), null, 2)).toEqual([a, b]);
    expect(await repo.findWatchers(variant.variantId, at(50), b, 2)).toEqual([c]);
  });
});
