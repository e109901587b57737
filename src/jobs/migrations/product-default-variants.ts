// Products written before variants existed get their default variant: the product's SKU, its stock,
// the product's price (inherited), and the derived stock sum and price range.
import { defaultVariant, summarizeVariants } from '../../models/ProductVariant';
import type { Migration } from './migrations';

const BATCH = 500;

export const productDefaultVariants: Migration = {
  name: '2026-12-product-default-variants',
  description: 'every product gets one default variant (sku, stock, inherited price) and its price range',
  async run({ products }, { dryRun }) {
    const pending = await products.countWithoutVariants();
    if (dryRun || pending === 0) return { pending, changed: 0 };
    let changed = 0;
    for (;;) {
      const batch = await products.findWithoutVariants(BATCH);
      if (!batch.length) break;
      for (const p of batch) {
        const variants = [defaultVariant(p.sku, p.stock)];
        if (await products.setInitialVariants(p._id, { variants, ...summarizeVariants(variants, p.priceMinor) })) changed += 1;
      }
    }
    return { pending, changed };
  },
};
