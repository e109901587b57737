// Products as members of the category tree: re-filing on moves (in the caller's transaction),
// the tree's facet counts, and the string-category migration.
import mongoose, { Types } from 'mongoose';
import { Product } from '../../support/models';
import { createProductCategoryRepository } from '../../../src/repositories/product-category.repository';
import { clearTestDatabase, useTestDatabase } from '../../support/db';

useTestDatabase();

async function insertRaw(docs: Record<string, unknown>[]): Promise<Types.ObjectId[]> {
  const withIds = docs.map((d, i) => {
    const _id = new Types.ObjectId();
    return { _id, name: `P${i}`, slug: `p-${_id.toHexString()}`, sku: `SKU-${_id.toHexString()}`, version: 1, ...d };
  });
  await Product.collection.insertMany(withIds);
  return withIds.map((d) => d._id);
}

describe('ProductCategoryRepository', () => {
  const repo = createProductCategoryRepository(Product);

  afterEach(clearTestDatabase);

  it('when products are moved in a transaction that aborts, then they stay where they were; committed, they move and their version bumps', async () => {
    const [id] = await insertRaw([{ category: 'shoes', categoryPath: ['apparel', 'shoes'] }]);
    const placement = { category: 'boots', categoryPath: ['apparel', 'boots'] };
    const session = await mongoose.connection.startSession();
    try {
      await expect(
        session.withTransaction(async () => {
          expect(await repo.moveAll('shoes', placement, session)).toBe(1);
          // Inside the transaction the move is visible to the same session only.
          expect(await repo.countInCategory('boots', session)).toBe(1);
          expect(await repo.countInCategory('boots')).toBe(0);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
    } finally {
      await session.endSession();
    }
    expect(await Product.collection.findOne({ _id: id })).toMatchObject({ category: 'shoes', version: 1 });
    expect(await repo.moveAll('shoes', placement)).toBe(1);
    expect(await Product.collection.findOne({ _id: id })).toMatchObject({ category: 'boots', categoryPath: ['apparel', 'boots'], version: 2 });
  });

  it('when ids are asked for categories, then only products filed directly under them come back; for no categories, none', async () => {
    const [inShoes, inBoots] = await insertRaw([{ category: 'shoes', categoryPath: ['shoes'] }, { category: 'boots', categoryPath: ['shoes', 'boots'] }, { category: 'hats', categoryPath: ['hats'] }]);
    expect((await repo.idsInCategories(['shoes', 'boots'])).sort()).toEqual([inShoes.toHexString(), inBoots.toHexString()].sort());
    expect(await repo.idsInCategories(['shoes'])).toEqual([inShoes.toHexString()]);
    expect(await repo.idsInCategories([])).toEqual([]);
  });

  it('when counting per path slug and under a slug, then each category counts its descendants and the filter applies', async () => {
    await insertRaw([
      { category: 'shoes', categoryPath: ['apparel', 'shoes'], status: 'active' },
      { category: 'boots', categoryPath: ['apparel', 'shoes', 'boots'], status: 'active' },
      { category: 'boots', categoryPath: ['apparel', 'shoes', 'boots'], status: 'draft' },
    ]);
    expect(Object.fromEntries(await repo.countPerPathSlug({ status: 'active' }))).toEqual({ apparel: 2, shoes: 2, boots: 1 });
    expect(await repo.countUnder('shoes', {})).toBe(3);
    expect(await repo.countUnder('boots', { status: 'active' })).toBe(1);
  });

  it('when legacy string categories are placed, then exactly matching unplaced products are filed (raw case kept in the match) and a repeat changes nothing', async () => {
    await insertRaw([{ category: ' Running Shoes' }, { category: ' Running Shoes' }, { category: 'hats' }, { category: 'shoes', categoryPath: ['shoes'] }]);
    expect(await repo.countWithoutPath()).toBe(3);
    expect(await repo.legacyCategories()).toEqual([' Running Shoes', 'hats']);
    const placement = { category: 'running-shoes', categoryPath: ['shoes', 'running-shoes'] };
    expect(await repo.placeLegacy(' Running Shoes', placement)).toBe(2);
    expect(await repo.placeLegacy(' Running Shoes', placement)).toBe(0);
    expect(await repo.countWithoutPath()).toBe(1);
    expect(await repo.legacyCategories()).toEqual(['hats']);
    expect(await repo.countInCategory('running-shoes')).toBe(2);
  });
});
