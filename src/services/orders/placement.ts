// Placing an order: price lines from the catalog, reserve every line's stock or none, save the order,
// then invalidate product caches and enqueue the confirmation.
//
// Stock is reserved WITHOUT a multi-document transaction: each line is one conditional `$inc` that
// also records a hold (order id + units) on the product. A transaction would keep write intents
// on the hot products until it ends — and when the process dies mid-transaction, until the server
// reaps it (transactionLifetimeLimitSeconds, 60 s), stalling every other checkout of those products.
// A single-document update holds nothing after it returns. All-or-nothing comes from compensation:
// a failed or cancelled placement releases its holds in reverse (releasing twice restocks once);
// a placement that died leaves holds the abandoned-hold sweep completes (order saved) or releases.
// The order itself is saved in a short transaction where the deployment has them, touching only
// new documents (the order, and what is written with it), so no other request ever waits on it.
import { Types, type ClientSession } from 'mongoose';
import type { AddressRecord, NewOrder, OrderRecord, OrderRepository } from '../../repositories/order.repository';
import type { ProductRecord, ProductRepository } from '../../repositories/product.repository';
import { ConflictError, ValidationError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { withoutDeadline } from '../../utils/tracing';
import type { TransactionRunner } from '../transactions';

export interface OrderLineInput {
  readonly productId: string;
  readonly quantity: number;
}

export interface PlaceOrderInput {
  readonly items: readonly OrderLineInput[];
  readonly shippingAddress: AddressRecord;
}

interface PricedLine {
  readonly index: number;
  readonly productId: string;
  readonly quantity: number;
}

export interface PlacementDeps {
  readonly orders: OrderRepository;
  readonly products: ProductRepository;
  readonly transactions: TransactionRunner;
}

const RELEASE_ATTEMPTS = 3;

function unavailable(lines: readonly { index: number; productId: string }[]): ValidationError {
  // Drafts, deleted and unknown products read alike: a customer learns nothing about unlisted products.
  return new ValidationError(
    'Some products cannot be ordered',
    lines.map((l) => ({ location: 'body', path: `items.${l.index}.productId`, message: 'product does not exist or is not for sale', productId: l.productId, type: 'product.unavailable' })),
    'PRODUCT_UNAVAILABLE',
  );
}

/** Snapshots of the catalog for each line; throws 400 for unavailable products or mixed currencies. */
export function priceLines(input: PlaceOrderInput, catalog: readonly ProductRecord[]): { items: NewOrder['items']; currency: string } {
  const byId = new Map(catalog.map((p) => [p._id.toString(), p]));
  const missing = input.items
    .map((line, index) => ({ index, productId: line.productId, product: byId.get(line.productId) }))
    .filter((l) => !l.product || l.product.deletedAt || l.product.status !== 'active');
  if (missing.length) throw unavailable(missing);
  const products = input.items.map((line) => byId.get(line.productId)!);
  const currency = products[0].currency;
  if (products.some((p) => p.currency !== currency)) {
    throw new ValidationError('All items of an order must be priced in one currency', [{ location: 'body', path: 'items', message: 'items have different currencies', type: 'currency.mixed' }], 'MIXED_CURRENCIES');
  }
  const items = input.items.map((line, i) => ({
    product: line.productId,
    name: products[i].name,
    sku: products[i].sku,
    unitPriceMinor: products[i].priceMinor,
    quantity: line.quantity,
  }));
  return { items, currency };
}

export function createOrderPlacement(deps: PlacementDeps) {
  const { orders, products, transactions } = deps;

  async function insufficientStock(lines: readonly PricedLine[], failed: PricedLine): Promise<ConflictError> {
    const current = new Map((await products.findManyByIds(lines.map((l) => l.productId))).map((p) => [p._id.toString(), p]));
    const sellable = (p: ProductRecord | undefined) => (p && !p.deletedAt && p.status === 'active' ? p.stock : 0);
    const short = lines.filter((l) => l === failed || sellable(current.get(l.productId)) < l.quantity);
    return new ConflictError('Not enough stock for some items; nothing was reserved', 'INSUFFICIENT_STOCK', {
      details: short.map((l) => ({
        path: `items.${l.index}.quantity`,
        message: 'not enough stock',
        productId: l.productId,
        requested: l.quantity,
        available: sellable(current.get(l.productId)),
      })),
    });
  }

  /** Idempotent per hold, retried a few times; a release that still fails is left to the abandoned-hold sweep. */
  async function release(reserved: readonly PricedLine[], hold: string): Promise<void> {
    // Compensation finishes even when the request's deadline cancelled the placement.
    await withoutDeadline(async () => {
      for (const line of [...reserved].reverse()) {
        for (let attempt = 1; attempt <= RELEASE_ATTEMPTS; attempt += 1) {
          try {
            await products.releaseHold(line.productId, line.quantity, hold);
            break;
          } catch (err) {
            if (attempt === RELEASE_ATTEMPTS) {
              logger.error('stock hold not released; the abandoned-hold sweep releases it', { hold, productId: line.productId, quantity: line.quantity, error: (err as Error).message });
            }
          }
        }
      }
    });
  }

  /** Every line or none: on a short line, an error or a cancelled request the lines taken are given back. */
  async function reserve(lines: readonly PricedLine[], hold: string): Promise<void> {
    const reserved: PricedLine[] = [];
    let short: PricedLine | undefined;
    try {
      for (const line of lines) {
        if (!(await products.reserveStock(line.productId, line.quantity, { hold }))) {
          short = line;
          break;
        }
        reserved.push(line);
      }
    } catch (err) {
      await release(reserved, hold);
      throw err;
    }
    if (short) {
      await release(reserved, hold);
      throw await insufficientStock(lines, short);
    }
  }

  async function save(doc: NewOrder): Promise<OrderRecord> {
    if (await transactions.supportsTransactions()) return transactions.run((session: ClientSession) => orders.create(doc, session));
    return orders.create(doc);
  }

  async function reserveAndSave(doc: NewOrder, lines: readonly PricedLine[]): Promise<OrderRecord> {
    const hold = doc._id.toHexString();
    await reserve(lines, hold);
    let record: OrderRecord | null;
    try {
      record = await save(doc);
    } catch (err) {
      // An insert whose reply was lost may still have happened: never give back stock a saved order holds.
      const saved = await withoutDeadline(() => orders.findById(hold)).catch(() => null);
      if (!saved) {
        await release(lines, hold);
        throw err;
      }
      record = saved;
    }
    await withoutDeadline(() => products.clearHolds(lines.map((l) => l.productId), hold)).catch((err: Error) => {
      logger.warn('stock holds of a saved order not cleared (harmless; stock is correct; the sweep clears them)', { hold, error: err.message });
    });
    return record;
  }

  return {
    /** Reserves and saves; throws 400 PRODUCT_UNAVAILABLE or 409 INSUFFICIENT_STOCK. */
    async place(accountId: string, input: PlaceOrderInput): Promise<OrderRecord> {
      const ids = [...new Set(input.items.map((l) => l.productId))];
      const { items, currency } = priceLines(input, await products.findManyByIds(ids));
      const doc: NewOrder = {
        _id: new Types.ObjectId(),
        account: accountId,
        items,
        currency,
        shippingAddress: input.shippingAddress,
        statusHistory: [{ status: 'pending', at: new Date(), by: new Types.ObjectId(accountId) }],
      };
      const lines = input.items.map((l, index) => ({ index, productId: l.productId, quantity: l.quantity }));
      return reserveAndSave(doc, lines);
    },
  };
}

export type OrderPlacement = ReturnType<typeof createOrderPlacement>;
