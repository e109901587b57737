// The stock alert rules, pure: which changes of a variant's stock are crossings (back in stock:
// 0 → more; low stock: from at or above the threshold to below it), the band of current stock values
// from which a given delta crosses (what the conditional write in stock.service.ts splits on), and
// the domain events a crossing records.
import type { VariantStockImage } from '../../repositories/stock.repository';
import type { DomainEvent } from '../outbox/outbox.service';
import { fromMinorUnits } from '../query-engine';

export type Crossing = 'back-in-stock' | 'low-stock';

/** The crossings of a change from `before` to `after` units; a threshold of 0 turns low-stock alerts off. */
export function crossingsOf(before: number, after: number, threshold: number): Crossing[] {
  const found: Crossing[] = [];
  if (before <= 0 && after > 0) found.push('back-in-stock');
  if (threshold > 0 && before >= threshold && after < threshold) found.push('low-stock');
  return found;
}

/**
 * The current stock values `[lo, hi)` from which adding `delta` crosses, or null when no value can:
 * a restock crosses only from 0; taking q units crosses the threshold T from T ≤ stock < T + q.
 * (tests/unit/stock-crossings.test.ts checks this against `crossingsOf` value by value.)
 */
export function crossingBand(delta: number, threshold: number): readonly [number, number] | null {
  if (delta > 0) return [0, 1];
  if (delta < 0 && threshold > 0) return [threshold, threshold - delta];
  return null;
}

export function inBand(stock: number, band: readonly [number, number] | null): boolean {
  return band !== null && stock >= band[0] && stock < band[1];
}

/**
 * The events of the crossings from `before` to the image's stock. Ids carry the product's version
 * after the write (every write bumps it, never reset): one id per crossing, so a retried transaction
 * records the fact once, and the next restock of the same variant is a new event.
 */
export function crossingEvents(image: VariantStockImage, before: number, threshold: number): DomainEvent[] {
  const { variant } = image;
  const variantId = variant._id.toString();
  const common = {
    productId: image.productId,
    variantId,
    productName: image.name,
    sku: variant.sku,
    optionValues: Object.fromEntries(variant.optionValues.map((o) => [o.name, o.value])),
    stock: variant.stock,
  };
  return crossingsOf(before, variant.stock, threshold).map((crossing): DomainEvent => {
    if (crossing === 'back-in-stock') {
      return {
        id: `variant-back-in-stock:${variantId}:${image.version}`,
        type: 'variant-back-in-stock',
        aggregateId: `variant:${variantId}`,
        payload: { ...common, slug: image.slug, price: fromMinorUnits(variant.priceMinor ?? image.priceMinor), currency: image.currency, restockSeq: image.version },
      };
    }
    return {
      id: `variant-low-stock:${variantId}:${image.version}`,
      type: 'variant-low-stock',
      aggregateId: `variant:${variantId}`,
      payload: { ...common, threshold, seq: image.version },
    };
  });
}
