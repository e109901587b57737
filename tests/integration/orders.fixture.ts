// Shared arrangements for the orders tests: order bodies, products with chosen stock, recipients.
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { Product } from '../support/models';
import type { TestContext } from '../support/app';
import { expectSuccess } from '../support/contract';
import { insertProducts, type FixtureProduct } from './products.fixture';

export const ADDRESS = { fullName: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

export function orderBody(items: { productId: string; quantity: number }[], extra: Record<string, unknown> = {}) {
  return { items, shippingAddress: ADDRESS, ...extra };
}

export async function productsWithStock(...stock: number[]): Promise<string[]> {
  const items: FixtureProduct[] = stock.map((s, i) => ({ name: `Order Fixture ${i}`, price: 10 + i + 0.99, stock: s }));
  return insertProducts(items);
}

export async function stockOf(id: string): Promise<number> {
  const doc = await Product.collection.findOne({ _id: new Types.ObjectId(id) });
  return doc!.stock as number;
}

/**
 * The address order emails go to. Accounts created by the accounts module already have one; on a
 * branch without it a minimal account record is added (upsert, so an existing account is kept).
 */
export async function recipientOf(accountId: string): Promise<string> {
  const accounts = mongoose.connection.collection('accounts');
  const _id = new Types.ObjectId(accountId);
  await accounts.updateOne({ _id }, { $setOnInsert: { email: `buyer-${accountId}@example.test` } }, { upsert: true });
  const doc = await accounts.findOne({ _id });
  return doc!.email as string;
}

export async function placeOrder(ctx: TestContext, headers: Record<string, string>, items: { productId: string; quantity: number }[]) {
  const res = await request(ctx.app).post('/api/v1/orders').set(headers).send(orderBody(items));
  expectSuccess(res, 201);
  return res.body.data as { id: string; version: number; status: string; [k: string]: unknown };
}
