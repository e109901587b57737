// The OrderRepository contract beyond what the HTTP tests reach: version-guarded update and delete.
import { Types } from 'mongoose';
import { Order } from '../support/models';
import { createOrderRepository } from '../../src/repositories/order.repository';
import { useTestDatabase } from '../support/db';
import { ADDRESS } from './orders.fixture';

useTestDatabase();

describe('OrderRepository', () => {
  const repo = createOrderRepository(Order);

  async function createOrder() {
    return repo.create({
      _id: new Types.ObjectId(),
      account: new Types.ObjectId().toHexString(),
      items: [{ product: new Types.ObjectId().toHexString(), variant: new Types.ObjectId().toHexString(), name: 'A', sku: 'A-1', optionValues: [], unitPriceMinor: 300, quantity: 2 }],
      currency: 'USD',
      shippingAddress: ADDRESS,
      statusHistory: [{ status: 'pending', at: new Date(), by: null }],
    });
  }

  it('when an order is created, then the stored totals come from the hook', async () => {
    const order = await createOrder();
    expect(order).toMatchObject({ subtotalMinor: 600, totalMinor: 600, status: 'pending', version: 1 });
    expect(order.items[0].lineTotalMinor).toBe(600);
  });

  it('when updating with the current version, then it is written and the version bumps; with a stale one, nothing is written', async () => {
    const order = await createOrder();
    const moved = { ...ADDRESS, city: 'Paris', country: 'FR' };
    expect(await repo.update(order._id.toString(), 2, { shippingAddress: moved })).toBeNull();
    const updated = await repo.update(order._id.toString(), 1, { shippingAddress: moved });
    expect(updated).toMatchObject({ version: 2, shippingAddress: { city: 'Paris', country: 'FR' } });
  });

  it('when deleting, then the order is gone and a second delete reports false', async () => {
    const order = await createOrder();
    expect(await repo.delete(order._id.toString())).toBe(true);
    expect(await repo.findById(order._id.toString())).toBeNull();
    expect(await repo.delete(order._id.toString())).toBe(false);
  });

  it('when a transition names a source state the order is not in, then nothing changes', async () => {
    const order = await createOrder();
    const change = { status: 'shipped' as const, at: new Date(), by: null };
    expect(await repo.transition(order._id.toString(), { from: ['paid'], to: 'shipped', expectedVersion: 1, change })).toBeNull();
    expect((await repo.findById(order._id.toString()))!.status).toBe('pending');
  });
});
