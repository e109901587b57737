// Variant rules, pure: a staff edit of a product's variants → the new variant list, or the 4xx that
// explains why not. The product service reads, applies one of these and writes with a version guard.
import { Types } from 'mongoose';
import { defaultVariant, MAX_OPTIONS, MAX_VARIANTS, optionTag, summarizeVariants, type OptionValue, type VariantRecord } from '../../models/ProductVariant';
import type { ProductChanges, ProductRecord } from '../../repositories/product.repository';
import { ConflictError, NotFoundError } from '../../utils/errors';
import { toMinorUnits } from '../query-engine';

export interface VariantInput {
  sku: string;
  /** `{ size: 'M', colour: 'red' }`; names are lower-case words, values short plain text. */
  optionValues?: Record<string, string>;
  /** null or absent: the product's price. */
  price?: number | null;
  stock?: number;
  active?: boolean;
}

export type VariantPatch = Partial<VariantInput>;

function conflict(message: string, code: string, path: string): ConflictError {
  return new ConflictError(message, code, { details: [{ path, message }] });
}

function toOptionValues(map: Record<string, string> | undefined): OptionValue[] {
  return Object.entries(map ?? {}).map(([name, value]) => ({ name, value }));
}

function build(input: VariantInput, id = new Types.ObjectId()): VariantRecord {
  const optionValues = toOptionValues(input.optionValues);
  return {
    _id: id,
    sku: input.sku,
    optionValues,
    optionTags: optionValues.map((o) => optionTag(o.name, o.value)),
    priceMinor: input.price === undefined || input.price === null ? null : toMinorUnits(input.price),
    stock: input.stock ?? 0,
    active: input.active ?? true,
  };
}

const signature = (v: VariantRecord) => [...v.optionTags].sort().join('&');
const names = (v: VariantRecord) => v.optionValues.map((o) => o.name).sort().join(',');

/**
 * The invariants of a variant list: bounded; SKUs distinct (the unique index only compares across
 * documents); either one option-less default variant or every variant naming the same options,
 * each combination once.
 */
export function assertVariantsValid(variants: readonly VariantRecord[]): void {
  if (variants.length > MAX_VARIANTS) throw conflict(`A product has at most ${MAX_VARIANTS} variants`, 'TOO_MANY_VARIANTS', 'variants');
  const skus = variants.map((v) => v.sku);
  const dupSku = skus.find((s, i) => skus.indexOf(s) !== i);
  if (dupSku) throw conflict(`SKU ${dupSku} is already used by another variant of this product`, 'DUPLICATE_KEY', 'sku');
  if (variants.some((v) => v.optionValues.length > MAX_OPTIONS)) throw conflict(`A product has at most ${MAX_OPTIONS} options`, 'TOO_MANY_OPTIONS', 'optionValues');
  if (variants.length < 2) return;
  if (variants.some((v) => v.optionValues.length === 0)) {
    throw conflict('With several variants every variant needs option values; give the default variant its options first', 'VARIANT_OPTIONS_REQUIRED', 'optionValues');
  }
  if (new Set(variants.map(names)).size > 1) {
    throw conflict(`Every variant must name the same options (${variants[0].optionValues.map((o) => o.name).join(', ')})`, 'VARIANT_OPTIONS_MISMATCH', 'optionValues');
  }
  const sigs = variants.map(signature);
  if (new Set(sigs).size !== sigs.length) throw conflict('Another variant already has these option values', 'DUPLICATE_VARIANT_OPTIONS', 'optionValues');
}

/** The product's variants, with the default one for a product written before variants existed. */
export function currentVariants(product: ProductRecord): VariantRecord[] {
  return product.variants?.length ? product.variants : [defaultVariant(product.sku, product.stock)];
}

export function findVariant(product: ProductRecord, variantId: string): VariantRecord {
  const variant = currentVariants(product).find((v) => v._id.toString() === variantId);
  if (!variant) throw new NotFoundError('Variant not found', 'VARIANT_NOT_FOUND');
  return variant;
}

export function addVariant(product: ProductRecord, input: VariantInput): VariantRecord[] {
  const next = [...currentVariants(product), build(input)];
  assertVariantsValid(next);
  return next;
}

export function changeVariant(product: ProductRecord, variantId: string, patch: VariantPatch): VariantRecord[] {
  const current = findVariant(product, variantId);
  const merged = build(
    {
      sku: patch.sku ?? current.sku,
      optionValues: patch.optionValues ?? Object.fromEntries(current.optionValues.map((o) => [o.name, o.value])),
      price: patch.price === undefined ? (current.priceMinor === null ? null : current.priceMinor / 100) : patch.price,
      stock: patch.stock ?? current.stock,
      active: patch.active ?? current.active,
    },
    current._id,
  );
  // Keep the stored minor units exactly when the price was not touched.
  if (patch.price === undefined) merged.priceMinor = current.priceMinor;
  const next = currentVariants(product).map((v) => (v._id.equals(current._id) ? merged : v));
  assertVariantsValid(next);
  return next;
}

export function removeVariant(product: ProductRecord, variantId: string): VariantRecord[] {
  const current = findVariant(product, variantId);
  const next = currentVariants(product).filter((v) => !v._id.equals(current._id));
  if (!next.length) throw conflict('A product keeps at least one variant; deactivate it or delete the product', 'LAST_VARIANT', 'variantId');
  return next;
}

/** The write that stores `variants` and the product fields derived from them. */
export function withVariants(variants: VariantRecord[], basePriceMinor: number): ProductChanges {
  return { variants, ...summarizeVariants(variants, basePriceMinor) };
}
