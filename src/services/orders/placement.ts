// Placing an order: price lines from the catalog, reserve every line's stock or none, save the order,
// and record the order-placed event with the order (the transactional outbox).
//
// Stock is reserved WITHOUT a multi-document transaction: each line is one conditional `$inc` that
// also records a hold (order id + units) on the product. A transaction would keep write intents
// on the hot products until it ends — and when the process dies mid-transaction, until the server
// reaps it (transactionLifetimeLimitSeconds, 60 s), stalling every other checkout of those products.
// A single-document update holds nothing after it returns. All-or-nothing comes from compensation:
// a failed or cancelled placement releases its holds in reverse (releasing twice restocks once);
// a placement that died leaves holds the abandoned-hold sweep completes (order saved) or releases.
// The order itself is saved in a short transaction where the deployment has them, touching only
// new documents (the order and its order-placed outbox event), so no other request ever waits on
// it and the event commits exactly when the order does.
import { Types, type ClientSession } from 'mongoose';
import type { AddressRecord, NewOrder, OrderRecord, OrderRepository } from '../../repositories/order.repository';
import type { ProductRecord, ProductRepository, VariantStockChange } from '../../repositories/product.repository';
import type { VariantRecord } from '../../models/ProductVariant';
import { ConflictError, ValidationError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { withoutDeadline } from '../../utils/tracing';
import type { StockWriter } from '../stock/stock.service';
import type { TransactionRunner } from '../transactions';

export interface OrderLineInput {
  readonly productId: string;
  /** Required when the product has several variants; a single-variant product's is implied. */
  readonly variantId?: string;
  readonly quantity: number;
}

export interface PlaceOrderInput {
  readonly items: readonly OrderLineInput[];
  readonly shippingAddress: AddressRecord;
}

/** How the order was asked for: the request's Idempotency-Key, when it sent one, and its first status. */
export interface PlacementOptions {
  readonly idempotencyKey?: string;
  /** `pending` (default: staff/back-office orders) or `awaiting_payment` (checkout). */
  readonly status?: NonNullable<NewOrder['status']>;
}

/** A line resolved to its variant; its index keys the line's stock hold. */
interface PricedLine extends VariantStockChange {
  readonly index: number;
}

export type RecordEvents = (order: OrderRecord, session: ClientSession | null) => Promise<void>;

export interface PlacementDeps {
  readonly orders: OrderRepository;
  readonly products: Pick<ProductRepository, 'findManyByIds' | 'clearHolds'>;
  /** Reservations and releases go through the stock-write path (stock alerts are detected there). */
  readonly stock: Pick<StockWriter, 'reserveStock' | 'releaseHold'>;
  readonly transactions: TransactionRunner;
  /**
   * Prepares the order's events before the transaction (reads) and returns the writer called at the
   * commit point: inside the transaction, or right after the insert on a standalone server (the
   * weaker fallback, see services/outbox/README.md).
   */
  readonly prepareEvents?: (accountId: string) => Promise<RecordEvents>;
  /** How long an Idempotency-Key identifies its order (the idempotency TTL); 0 turns the lookup off. */
  readonly idempotencyWindowSeconds?: number;
  readonly now?: () => Date;
}

const RELEASE_ATTEMPTS = 3;

export type LineProblem = { index: number; field: 'productId' | 'variantId'; message: string; type: string; productId: string; variantId?: string };

function unavailable(problems: readonly LineProblem[]): ValidationError {
  // Drafts, deleted and unknown products read alike: a customer learns nothing about unlisted products.
  const variantsOnly = problems.every((p) => p.field === 'variantId');
  return new ValidationError(
    variantsOnly ? 'Some lines do not name an orderable variant' : 'Some products cannot be ordered',
    problems.map((p) => ({ location: 'body', path: `items.${p.index}.${p.field}`, message: p.message, productId: p.productId, ...(p.variantId && { variantId: p.variantId }), type: p.type })),
    variantsOnly ? (problems.some((p) => p.type === 'variant.required') ? 'VARIANT_REQUIRED' : 'VARIANT_UNAVAILABLE') : 'PRODUCT_UNAVAILABLE',
  );
}

/** The variant a line orders, or why it cannot be ordered (the cart checks its lines with this too). */
export function resolveVariant(line: OrderLineInput, index: number, product: ProductRecord | undefined): VariantRecord | LineProblem {
  const base = { index, productId: line.productId, ...(line.variantId && { variantId: line.variantId }) };
  if (!product || product.deletedAt || product.status !== 'active') {
    return { ...base, field: 'productId', message: 'product does not exist or is not for sale', type: 'product.unavailable' };
  }
  const variants = product.variants ?? [];
  if (!line.variantId) {
    if (variants.length === 1) return variants[0];
    return { ...base, field: 'variantId', message: `this product has ${variants.length} variants; choose one with variantId`, type: 'variant.required' };
  }
  const variant = variants.find((v) => v._id.toString() === line.variantId);
  if (variant?.active) return variant;
  return { ...base, field: 'variantId', message: 'variant does not exist or is not for sale', type: 'variant.unavailable' };
}

/** Snapshots of the catalog for each line; throws 400 for unavailable products/variants or mixed currencies. */
export function priceLines(input: PlaceOrderInput, catalog: readonly ProductRecord[]): { items: NewOrder['items']; currency: string; lines: PricedLine[] } {
  const byId = new Map(catalog.map((p) => [p._id.toString(), p]));
  const resolved = input.items.map((line, index) => resolveVariant(line, index, byId.get(line.productId)));
  const problems = resolved.filter((r): r is LineProblem => 'field' in r);
  if (problems.length) throw unavailable(problems.some((p) => p.field === 'productId') ? problems.filter((p) => p.field === 'productId') : problems);
  const variants = resolved as VariantRecord[];
  const products = input.items.map((line) => byId.get(line.productId)!);
  const currency = products[0].currency;
  if (products.some((p) => p.currency !== currency)) {
    throw new ValidationError('All items of an order must be priced in one currency', [{ location: 'body', path: 'items', message: 'items have different currencies', type: 'currency.mixed' }], 'MIXED_CURRENCIES');
  }
  const items = input.items.map((line, i) => ({
    product: line.productId,
    variant: variants[i]._id.toString(),
    name: products[i].name,
    sku: variants[i].sku,
    optionValues: variants[i].optionValues.map(({ name, value }) => ({ name, value })),
    unitPriceMinor: variants[i].priceMinor ?? products[i].priceMinor,
    quantity: line.quantity,
  }));
  const lines = items.map((item, index) => ({ index, productId: item.product, variantId: item.variant, quantity: item.quantity }));
  return { items, currency, lines };
}

export function createOrderPlacement(deps: PlacementDeps) {
  const { orders, products, stock, transactions } = deps;

  async function insufficientStock(lines: readonly PricedLine[], failed: PricedLine): Promise<ConflictError> {
    const current = new Map((await products.findManyByIds(lines.map((l) => l.productId))).map((p) => [p._id.toString(), p]));
    const sellable = (l: PricedLine) => {
      const p = current.get(l.productId);
      const v = p?.variants?.find((x) => x._id.toString() === l.variantId);
      return p && v && !p.deletedAt && p.status === 'active' && v.active ? v.stock : 0;
    };
    const short = lines.filter((l) => l === failed || sellable(l) < l.quantity);
    return new ConflictError('Not enough stock for some items; nothing was reserved', 'INSUFFICIENT_STOCK', {
      details: short.map((l) => ({
        path: `items.${l.index}.quantity`,
        message: 'not enough stock',
        productId: l.productId,
        variantId: l.variantId,
        requested: l.quantity,
        available: sellable(l),
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
            await stock.releaseHold({ ...line, order: hold, line: line.index });
            break;
          } catch (err) {
            if (attempt === RELEASE_ATTEMPTS) {
              logger.error('stock hold not released; the abandoned-hold sweep releases it', { hold, line: line.index, productId: line.productId, variantId: line.variantId, quantity: line.quantity, error: (err as Error).message });
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
        if (!(await stock.reserveStock(line, { hold: { order: hold, line: line.index } }))) {
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

  /**
   * The order and its events in one short transaction (same session), so the event commits if and
   * only if the order does. A standalone server has no transactions: the event is written right after
   * the order (the weaker fallback described in services/outbox/README.md).
   */
  async function save(doc: NewOrder, recordEvents: RecordEvents | undefined): Promise<{ order: OrderRecord; eventsRecorded: boolean }> {
    if (await transactions.supportsTransactions()) {
      const order = await transactions.run(async (session: ClientSession) => {
        const created = await orders.create(doc, session);
        await recordEvents?.(created, session);
        return created;
      });
      return { order, eventsRecorded: true };
    }
    return { order: await orders.create(doc), eventsRecorded: false };
  }

  async function reserveAndSave(doc: NewOrder, lines: readonly PricedLine[], recordEvents: RecordEvents | undefined): Promise<OrderRecord> {
    const hold = doc._id.toHexString();
    await reserve(lines, hold);
    let record: OrderRecord | null;
    let eventsRecorded: boolean;
    try {
      ({ order: record, eventsRecorded } = await save(doc, recordEvents));
    } catch (err) {
      // An insert whose reply was lost may still have happened: never give back stock a saved order holds.
      const saved = await withoutDeadline(() => orders.findById(hold)).catch(() => null);
      if (!saved) {
        await release(lines, hold);
        throw err;
      }
      record = saved;
      // With transactions the events committed with the order; without, they may be missing.
      eventsRecorded = await transactions.supportsTransactions();
    }
    if (!eventsRecorded && recordEvents) {
      const order = record;
      // The order stands, so its event is written even past the request's deadline.
      await withoutDeadline(() => recordEvents(order, null)).catch((err: Error) => {
        logger.error('order event not recorded (standalone server, no transaction); the order has no confirmation email', { orderId: hold, error: err.message });
      });
    }
    await withoutDeadline(() => products.clearHolds([...new Set(lines.map((l) => l.productId))], hold)).catch((err: Error) => {
      logger.warn('stock holds of a saved order not cleared (harmless; stock is correct; the sweep clears them)', { hold, error: err.message });
    });
    return record;
  }

  /**
   * The order an earlier attempt with this Idempotency-Key placed within the idempotency window, if
   * any: a retry whose first attempt saved the order but died before its answer was stored. Keys are
   * scoped per route like the stored answers: only an order placed the same way (same first status) counts.
   */
  async function findPlaced(accountId: string, idempotencyKey: string | undefined, status: NonNullable<NewOrder['status']>): Promise<OrderRecord | null> {
    const window = deps.idempotencyWindowSeconds ?? 0;
    if (!idempotencyKey || window <= 0) return null;
    const since = new Date((deps.now?.() ?? new Date()).getTime() - window * 1000);
    return orders.findByIdempotencyKey(accountId, idempotencyKey, since, status);
  }

  return {
    findPlaced,

    /**
     * Reserves and saves; throws 400 PRODUCT_UNAVAILABLE or 409 INSUFFICIENT_STOCK. `status`:
     * `pending` for staff/back-office orders, `awaiting_payment` for checkout (paid through the provider).
     */
    async place(accountId: string, input: PlaceOrderInput, options: PlacementOptions = {}): Promise<OrderRecord> {
      const status = options.status ?? 'pending';
      const placed = await findPlaced(accountId, options.idempotencyKey, status);
      if (placed) return placed;
      const ids = [...new Set(input.items.map((l) => l.productId))];
      const { items, currency, lines } = priceLines(input, await products.findManyByIds(ids));
      const doc: NewOrder = {
        _id: new Types.ObjectId(),
        account: accountId,
        items,
        currency,
        shippingAddress: input.shippingAddress,
        status,
        statusHistory: [{ status, at: new Date(), by: new Types.ObjectId(accountId) }],
        ...(options.idempotencyKey && { idempotencyKey: options.idempotencyKey }),
      };
      const recordEvents = await deps.prepareEvents?.(accountId);
      return reserveAndSave(doc, lines, recordEvents);
    },
  };
}

export type OrderPlacement = ReturnType<typeof createOrderPlacement>;
