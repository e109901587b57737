// Product variants live embedded in their product document (see src/services/products/README.md):
// a stock reservation is then one conditional single-document update that takes the variant's units
// and keeps the product's denormalized stock sum and price range right in the same write.
import { Schema, Types } from 'mongoose';

export const MAX_OPTIONS = 3;
export const MAX_VARIANTS = 100;
/** Option names are data, never Mongo keys: bounded and plain so they can be shown and filtered on. */
export const OPTION_NAME = /^[a-z][a-z0-9_-]{0,29}$/;
export const OPTION_VALUE = /^[A-Za-z0-9][A-Za-z0-9 ./+#-]{0,39}$/;

export interface OptionValue {
  name: string;
  value: string;
}

export interface VariantRecord {
  _id: Types.ObjectId;
  sku: string;
  optionValues: OptionValue[];
  /** Lower-cased `name=value` pairs: what option filters match, as values (never as keys). */
  optionTags: string[];
  /** null: the product's price. */
  priceMinor: number | null;
  stock: number;
  active: boolean;
}

export function optionTag(name: string, value: string): string {
  return `${name.toLowerCase()}=${value.toLowerCase()}`;
}

const integer = { validator: Number.isSafeInteger, message: '{PATH} must be an integer' };

export const variantSchema = new Schema(
  {
    sku: { type: String, required: true, trim: true, uppercase: true, maxlength: 40 },
    optionValues: {
      type: [new Schema({ name: { type: String, required: true, match: OPTION_NAME }, value: { type: String, required: true, match: OPTION_VALUE } }, { _id: false })],
      default: [],
    },
    optionTags: { type: [String], default: [] },
    priceMinor: { type: Number, default: null, min: 0, validate: { validator: (v: number | null) => v === null || Number.isSafeInteger(v), message: 'priceMinor must be an integer' } },
    stock: { type: Number, required: true, min: 0, default: 0, validate: integer },
    active: { type: Boolean, default: true },
  },
  { _id: true },
);

export interface VariantSummary {
  stock: number;
  priceMinMinor: number;
  priceMaxMinor: number;
}

/**
 * The product-level fields derived from its variants: stock is the sum over active variants; the
 * price range spans active variants (all variants when none is active, so a listing still has a price).
 */
export function summarizeVariants(variants: readonly Pick<VariantRecord, 'priceMinor' | 'stock' | 'active'>[], basePriceMinor: number): VariantSummary {
  const active = variants.filter((v) => v.active);
  const priced = (active.length ? active : variants).map((v) => v.priceMinor ?? basePriceMinor);
  if (!priced.length) priced.push(basePriceMinor);
  return {
    stock: active.reduce((sum, v) => sum + v.stock, 0),
    priceMinMinor: Math.min(...priced),
    priceMaxMinor: Math.max(...priced),
  };
}

/** The one variant of a product without options: same SKU, the product's price, all its stock. */
export function defaultVariant(sku: string, stock: number): VariantRecord {
  return { _id: new Types.ObjectId(), sku, optionValues: [], optionTags: [], priceMinor: null, stock, active: true };
}
