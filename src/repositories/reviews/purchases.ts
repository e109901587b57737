// Whether an account bought a product and received it: the verified-buyer rule of reviews, read
// from the Order model (served by its `{ account, createdAt, _id }` index).
import { Types } from 'mongoose';
import type { OrderModel } from '../../models/Order';

export type PurchaseRepository = ReturnType<typeof createPurchaseRepository>;

export function createPurchaseRepository(model: OrderModel) {
  return {
    async hasReceived(accountId: string, productId: string): Promise<boolean> {
      const found = await model.exists({ account: new Types.ObjectId(accountId), status: 'delivered', 'items.product': new Types.ObjectId(productId) });
      return found !== null;
    },
  };
}
