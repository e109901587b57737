// The stock-write path: every change of a variant's stock goes through `applyStockChange` (orders'
// reservations, releases and restocks, the abandoned-hold sweep), for staff edits of a whole
// product `writeProduct`, and for bulk writers (inventory imports) `alertsOfWrite` + `moveAlerts`. Both detect back-in-stock and low-stock crossings here,
// and only here, and store each crossing's event in the same atomic step as the write.
//
// Exact under concurrency without a transaction per sale: a change first tries a conditional write
// that only matches when the variant's stock is OUTSIDE the band of values from which this delta
// crosses (crossings.ts) — the common case, one single-document update, no event. When that misses,
// the variant is read; if its stock is now INSIDE the band, the same write conditioned on the band
// and on the version it read carries the event into the product document (one atomic update), and
// the event then moves to the outbox; anything else (the stock moved between the two steps) goes
// round again. Inside a caller's transaction the event joins that transaction instead.
// What each kind of change means (its delta, when it applies): plan.ts. See services/stock/README.md.
import type { ClientSession } from 'mongoose';
import type { VariantRecord } from '../../models/ProductVariant';
import type { ProductChanges, ProductRecord, ProductRepository, StockAlertRecord, StockHold, VariantStockChange } from '../../repositories/product.repository';
import type { StockCondition, StockRepository, VariantStockImage, VariantStockState, VariantStockWrite } from '../../repositories/stock.repository';
import { ServiceUnavailableError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { withoutDeadline } from '../../utils/tracing';
import type { DomainEvent, Outbox } from '../outbox/outbox.service';
import { crossingBand, crossingEvents, inBand } from './crossings';
import { planFor, type Plan, type StockChange } from './plan';

export type { StockChange } from './plan';

export interface StockChangeResult {
  /** False when the change does not apply (not enough stock, hold already released, unknown variant). */
  readonly applied: boolean;
  readonly productId?: string;
  readonly variantId?: string;
  /** The variant's stock right before and right after this change (when applied). */
  readonly before?: number;
  readonly after?: number;
  /** Ids of the alert events recorded with the change. */
  readonly events: readonly string[];
}

export interface StockWriteOptions {
  /**
   * The caller's transaction: the write and its events join it, and the caller calls
   * `outbox.committed()` after its commit. Without one every write is a single-document update.
   */
  readonly session?: ClientSession | null;
}

export interface StockWriterDeps {
  readonly stock: StockRepository;
  readonly products: Pick<ProductRepository, 'updateIfVersion'>;
  readonly outbox: Outbox;
  /** LOW_STOCK_THRESHOLD; 0 turns low-stock alerts off. */
  readonly lowStockThreshold: number;
  readonly now?: () => Date;
}

/** Each round that misses means another writer changed this variant in between; this many is contention, not a bug. */
const MAX_ROUNDS = 25;

const notApplied: StockChangeResult = { applied: false, events: [] };

export const STOCK_ALERT_SWEEP_NAME = 'move-stranded-stock-alerts';
export const STOCK_ALERT_SWEEP_EVERY_MS = 30_000;

/** An alert still on its product this long (the write's own move normally takes milliseconds) is swept. */
const STRANDED_AFTER_MS = 10_000;
const SWEEP_BATCH = 200;

function toAlert(event: DomainEvent, at: Date): StockAlertRecord {
  return { id: event.id, type: event.type, aggregateId: event.aggregateId, payload: event.payload, at };
}

function toDomainEvent(alert: StockAlertRecord): DomainEvent {
  // The event happened with the stock write, however late it reaches the outbox (audiences filter on it).
  return { id: alert.id, type: alert.type as DomainEvent['type'], aggregateId: alert.aggregateId, payload: alert.payload, occurredAt: new Date(alert.at) };
}

/** What a crossing needs to know about the product (a full record, or a bulk writer's projection). */
export type ProductStockFacts = Pick<ProductRecord, '_id' | 'name' | 'slug' | 'priceMinor' | 'currency' | 'status' | 'deletedAt' | 'version'> & { readonly variants?: readonly VariantRecord[] };

function imageOf(record: ProductStockFacts, variant: VariantRecord): VariantStockImage {
  const sellable = record.status === 'active' && !record.deletedAt;
  return { productId: record._id.toString(), name: record.name, slug: record.slug, priceMinor: record.priceMinor, currency: record.currency, sellable, version: record.version, variant };
}

export function createStockWriter(deps: StockWriterDeps) {
  const { stock, outbox } = deps;
  const threshold = deps.lowStockThreshold;
  const now = deps.now ?? (() => new Date());

  /**
   * Moves alerts stored on a product into the outbox (idempotent by event id), then off the product.
   * Finishes past the request's deadline; a failure leaves them for the stock-alert sweep.
   */
  async function transfer(productId: string, alerts: readonly StockAlertRecord[]): Promise<void> {
    if (!alerts.length) return;
    await withoutDeadline(async () => {
      try {
        await outbox.record(null, alerts.map(toDomainEvent));
        outbox.committed();
        await stock.clearAlerts(productId, alerts.map((a) => a.id));
      } catch (err) {
        logger.warn('stock alert not moved to the outbox yet; the stock-alert sweep will', { productId, events: alerts.map((a) => a.id), error: (err as Error).message });
      }
    });
  }

  /**
   * The write that crosses. In the caller's transaction the events join it. Otherwise the write is a
   * compare-and-set on the version it read, so its post-image — and the events — are known before
   * it runs, and the events are stored on the product in that same single-document update (no
   * transaction holds the product: concurrent checkouts never queue behind one), then moved.
   */
  async function writeCrossing(write: VariantStockWrite, known: VariantStockState, session: ClientSession | null): Promise<{ image: VariantStockImage | null; events: readonly DomainEvent[] }> {
    if (session) {
      const image = await stock.writeVariantStock(write, session);
      const events = image ? crossingEvents(image, image.variant.stock - write.delta, threshold) : [];
      await outbox.record(session, events);
      return { image, events };
    }
    const after: VariantStockImage = { ...known, version: known.version + 1, variant: { ...known.variant, stock: known.variant.stock + write.delta } };
    const at = now();
    const alerts = crossingEvents(after, known.variant.stock, threshold).map((e) => toAlert(e, at));
    const image = await stock.writeVariantStock({ ...write, expectVersion: known.version, alerts }, null);
    if (!image) return { image: null, events: [] };
    await transfer(image.productId, alerts);
    return { image, events: alerts.map(toDomainEvent) };
  }

  async function run(plan: Plan, session: ClientSession | null): Promise<StockChangeResult> {
    const { productId, variantId } = plan;
    const read = () => stock.readVariantStock(productId, variantId, plan.releases, session);
    // Without a reading the first attempt assumes the common case: an active variant outside the band.
    let known: VariantStockState | null = null;
    const { delta } = plan;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const current = known?.variant.stock;
      if (known && !plan.applies(known, delta)) return notApplied;
      if (delta === 0) return { applied: true, productId, variantId, before: current, after: current, events: [] };
      const band = crossingBand(delta, threshold);
      const crossing = current !== undefined && inBand(current, band);
      const condition: StockCondition = {
        ...(delta < 0 && { atLeast: -delta }),
        ...(band && (crossing ? { inside: band } : { outside: band })),
      };
      const write: VariantStockWrite = { productId, variantId, delta, active: known?.variant.active ?? true, stock: condition, sellable: plan.sellable, records: plan.records, releases: plan.releases };
      const { image, events } = crossing && known ? await writeCrossing(write, known, session) : { image: await stock.writeVariantStock(write, session), events: [] };
      if (image) return { applied: true, productId, variantId, before: image.variant.stock - delta, after: image.variant.stock, events: events.map((e) => e.id) };
      known = await read();
      if (!known) return notApplied;
    }
    throw new ServiceUnavailableError('Stock of this item is changing too fast; retry', 'STOCK_CONTENDED');
  }

  /** The crossings a version-guarded write of `changes` over `before` makes (one per variant that crosses). */
  function crossingsOfWrite(before: ProductStockFacts, changes: ProductChanges): DomainEvent[] {
    const stockBefore = new Map((before.variants ?? []).map((v) => [v._id.toString(), v.stock]));
    const after = { ...before, ...changes, version: before.version + 1 } as ProductStockFacts;
    return (changes.variants ?? []).flatMap((v) =>
      stockBefore.has(v._id.toString()) ? crossingEvents(imageOf(after, v), stockBefore.get(v._id.toString())!, threshold) : [],
    );
  }

  async function applyStockChange(change: StockChange, options: StockWriteOptions = {}): Promise<StockChangeResult> {
    const plan = await planFor(change, stock);
    return plan ? run(plan, options.session ?? null) : notApplied;
  }

  return {
    applyStockChange,

    /** Orders: takes a line's units (with its hold) or returns false. */
    async reserveStock(line: VariantStockChange, options: { hold?: { order: string; line: number } } = {}): Promise<boolean> {
      return (await applyStockChange({ kind: 'reserve', ...line, hold: options.hold })).applied;
    },

    /** Gives back a held reservation; false when it was already released. */
    async releaseHold(hold: StockHold): Promise<boolean> {
      const change: StockChange = { kind: 'release', productId: hold.productId, variantId: hold.variantId, quantity: hold.quantity, hold: { order: hold.order, line: hold.line } };
      return (await applyStockChange(change)).applied;
    },

    /** A cancelled order's line, inside the cancel's transaction when there is one. */
    async restock(line: { productId: string; variantId: string | null; quantity: number }, session?: ClientSession | null): Promise<void> {
      await applyStockChange({ kind: 'restock', ...line }, { session });
    },

    /**
     * A staff edit written with the product's version as guard (`changes` may replace the variant
     * list). The guard makes `before` the exact pre-image and the post-version `expectedVersion + 1`,
     * so the crossings and their events are known before writing and are stored with the write — or,
     * in the caller's transaction (`session`), recorded in it (the caller nudges after its commit).
     * Null: the product is no longer at `expectedVersion` (or deleted).
     */
    async writeProduct(before: ProductRecord, expectedVersion: number, changes: ProductChanges, session?: ClientSession | null): Promise<ProductRecord | null> {
      const id = before._id.toString();
      if (before.version !== expectedVersion) return null;
      const events = crossingsOfWrite(before, changes);
      if (session) {
        const record = await deps.products.updateIfVersion(id, expectedVersion, changes, session);
        if (record) await outbox.record(session, events);
        return record;
      }
      const at = now();
      const alerts = events.map((e) => toAlert(e, at));
      const record = await deps.products.updateIfVersion(id, expectedVersion, changes, null, alerts);
      if (record) await transfer(id, alerts);
      return record;
    },

    /**
     * Bulk writers (inventory imports) write many products in one bulkWrite, each guarded by the
     * version it read: `alertsOfWrite` gives the alerts to store with each write (in `stockAlerts`,
     * the same single-document update), and `moveAlerts` moves a written product's alerts to the
     * outbox afterwards. A write that did not match stored nothing; a move that did not finish is swept.
     */
    alertsOfWrite(before: ProductStockFacts, changes: ProductChanges): StockAlertRecord[] {
      const at = now();
      return crossingsOfWrite(before, changes).map((e) => toAlert(e, at));
    },

    moveAlerts(productId: string, alerts: readonly StockAlertRecord[]): Promise<void> {
      return transfer(productId, alerts);
    },

    /** The stock-alert sweep (worker): alerts whose move to the outbox did not finish (a killed process). */
    async moveStrandedAlerts(olderThanMs = STRANDED_AFTER_MS): Promise<{ moved: number }> {
      let moved = 0;
      for (const { productId, alerts } of await stock.findStrandedAlerts(new Date(now().getTime() - olderThanMs), SWEEP_BATCH)) {
        await transfer(productId, alerts);
        moved += alerts.length;
      }
      return { moved };
    },
  };
}

export type StockWriter = ReturnType<typeof createStockWriter>;