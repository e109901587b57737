// What each kind of stock change means for one variant: its delta, whether it applies to the stock
// read, and what it records or releases. stock.service.ts runs a plan through the conditional write.
import type { VariantStockState, VariantStockWrite } from '../../repositories/stock.repository';

export type StockChange =
  /** Takes units if the product is for sale and the variant active with enough stock; optionally records a hold. */
  | { readonly kind: 'reserve'; readonly productId: string; readonly variantId: string; readonly quantity: number; readonly hold?: { readonly order: string; readonly line: number } }
  /** Gives back a held reservation once (the hold must still be there). A null variant: the product's only one. */
  | { readonly kind: 'release'; readonly productId: string; readonly variantId: string | null; readonly quantity: number; readonly hold: { readonly order: string; readonly line: number | null } }
  /** Puts units back (a cancelled order line), whatever the product's status: stock is physical. */
  | { readonly kind: 'restock'; readonly productId: string; readonly variantId: string | null; readonly quantity: number };

/** One change resolved to its variant, as the writer runs it. */
export interface Plan {
  readonly productId: string;
  readonly variantId: string;
  /** The signed change of the variant's stock. */
  readonly delta: number;
  readonly sellable?: boolean;
  readonly records?: VariantStockWrite['records'];
  readonly releases?: VariantStockWrite['releases'];
  /** Whether the change applies to the variant as it is now. */
  applies(state: VariantStockState, delta: number): boolean;
}

/** The lookup a plan needs: a product's only variant (lines from before variants). */
export interface PlanLookups {
  findOnlyVariantId(productId: string): Promise<string | null>;
}

/** The plan of `change`, or null when its variant cannot be found. */
export async function planFor(change: StockChange, lookups: PlanLookups): Promise<Plan | null> {
  const always = () => true;
  switch (change.kind) {
    case 'reserve': {
      const { productId, variantId, quantity, hold } = change;
      return {
        productId,
        variantId,
        delta: -quantity,
        sellable: true,
        ...(hold && { records: { order: hold.order, line: hold.line, quantity } }),
        applies: (s) => s.sellable && s.variant.active && s.variant.stock >= quantity,
      };
    }
    case 'release':
    case 'restock': {
      // A line or hold from before variants names no variant: it belongs to the product's only one.
      const variantId = change.variantId ?? (await lookups.findOnlyVariantId(change.productId));
      if (!variantId) return null;
      const releases = change.kind === 'release' ? { order: change.hold.order, line: change.hold.line, quantity: change.quantity } : undefined;
      return { productId: change.productId, variantId, delta: change.quantity, releases, applies: releases ? (s) => s.holdPresent : always };
    }
  }
}
