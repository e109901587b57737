// The cart repository's first save: one cart per account even when two first saves race, and a
// line the model refuses is an error for the caller, not a lost race.
import { Types } from 'mongoose';
import { Cart } from '../../support/models';
import { createCartRepository, type CartLineRecord } from '../../../src/repositories/cart.repository';
import { clearTestDatabase, useTestDatabase } from '../../support/db';

useTestDatabase();

const EXPIRES = new Date('2030-01-01T00:00:00.000Z');
const line = (overrides: Partial<CartLineRecord> = {}): CartLineRecord => ({
  product: new Types.ObjectId(), variant: new Types.ObjectId(), quantity: 1, unitPriceMinor: 500, currency: 'USD', name: 'Tee', sku: 'TEE-1', addedAt: new Date(), ...overrides,
});

describe('CartRepository', () => {
  const repo = createCartRepository(Cart);

  afterEach(clearTestDatabase);

  it('when another request created the cart first, then a second first save gets null (re-read) and the first cart keeps its lines', async () => {
    const account = new Types.ObjectId().toHexString();
    const first = await repo.saveLines(account, null, [line({ sku: 'FIRST' })], EXPIRES);
    expect(first).toMatchObject({ version: expect.any(Number), lines: [{ sku: 'FIRST' }] });
    expect(await repo.saveLines(account, null, [line({ sku: 'SECOND' })], EXPIRES)).toBeNull();
    expect((await Cart.find().lean()).map((c) => c.lines.map((l) => l.sku))).toEqual([['FIRST']]);
  });

  it('when a line is refused by the model, then the validation error reaches the caller and no cart is created', async () => {
    await expect(repo.saveLines(new Types.ObjectId().toHexString(), null, [line({ quantity: 0 })], EXPIRES)).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await Cart.countDocuments()).toBe(0);
  });
});
