// The demo catalog is deterministic and valid by construction.
import { buildCatalog, createPrng } from '../../src/loaders/seed';

describe('buildCatalog', () => {
  it('when built twice with the same seed, then the catalog is identical; another seed differs', () => {
    expect(buildCatalog(200, 7)).toEqual(buildCatalog(200, 7));
    expect(buildCatalog(50, 8)).not.toEqual(buildCatalog(50, 7));
    expect(createPrng(1)()).toBe(createPrng(1)());
  });

  it('when built, then slugs and skus are unique, prices are integer minor units and categories are spread', () => {
    const catalog = buildCatalog(3000);
    expect(new Set(catalog.map((p) => p.slug)).size).toBe(3000);
    expect(new Set(catalog.map((p) => p.sku)).size).toBe(3000);
    expect(catalog.every((p) => Number.isSafeInteger(p.priceMinor) && p.priceMinor > 0)).toBe(true);
    expect(new Set(catalog.map((p) => p.category)).size).toBe(8);
    expect(catalog.some((p) => p.stock === 0)).toBe(true);
    expect(catalog.some((p) => p.status === 'draft')).toBe(true);
  });
});
