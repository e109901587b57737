// Deterministic demo data: a realistic catalog (same products on every run, from a fixed PRNG
// seed) for `npm run seed` and for the embedded development database on first start.
import { slugify } from '../models/Product';
import { optionTag, type VariantRecord } from '../models/ProductVariant';
import type { NewProduct, ProductRepository } from '../repositories/product.repository';
import { logger } from '../utils/logger';
import { seedDemoAccounts } from '../services/account.seed';

/** mulberry32: tiny, fast, good enough for demo data, and identical on every platform. */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface CategorySpec {
  readonly nouns: readonly string[];
  readonly brands: readonly string[];
  readonly price: readonly [number, number];
}

const CATEGORIES: Readonly<Record<string, CategorySpec>> = {
  phones: { nouns: ['phone', 'smartphone'], brands: ['apple', 'samsung', 'google', 'nokia', 'xiaomi'], price: [99, 1499] },
  laptops: { nouns: ['laptop', 'notebook', 'ultrabook'], brands: ['apple', 'lenovo', 'dell', 'asus', 'hp'], price: [399, 3499] },
  tablets: { nouns: ['tablet'], brands: ['apple', 'samsung', 'lenovo', 'amazon'], price: [79, 1299] },
  audio: { nouns: ['headphones', 'earbuds', 'speaker', 'soundbar'], brands: ['sony', 'bose', 'jbl', 'apple', 'samsung'], price: [19, 899] },
  wearables: { nouns: ['watch', 'fitness band', 'smart ring'], brands: ['apple', 'garmin', 'fitbit', 'samsung'], price: [29, 999] },
  cameras: { nouns: ['camera', 'action camera', 'lens'], brands: ['canon', 'nikon', 'sony', 'gopro', 'fujifilm'], price: [149, 4999] },
  accessories: { nouns: ['case', 'charger', 'cable', 'power bank', 'stand'], brands: ['anker', 'belkin', 'apple', 'samsung', 'spigen'], price: [5, 149] },
  gaming: { nouns: ['console', 'controller', 'headset', 'keyboard', 'mouse'], brands: ['sony', 'microsoft', 'nintendo', 'logitech', 'razer'], price: [24, 699] },
};
const ADJECTIVES = ['Ultra', 'Pro', 'Lite', 'Max', 'Mini', 'Air', 'Plus', 'Neo', 'Classic', 'Edge'];
const FEATURES = ['wireless', '5g', 'waterproof', 'refurbished', 'bestseller', 'eco', 'bluetooth', 'fast-charging'];
const EPOCH = Date.UTC(2025, 0, 1);

const titleCase = (s: string) => s.replace(/\b[a-z]/g, (c) => c.toUpperCase());

/** Variant ids are left to the database, so the same seed always builds an identical catalog. */
export type SeedVariant = Omit<VariantRecord, '_id'>;
export type SeedProduct = NewProduct & { createdAt: Date; updatedAt: Date; variants?: SeedVariant[] };

/** Categories whose demo products come in sizes and colours, and what those are. */
const VARIANT_OPTIONS: Readonly<Record<string, { name: string; values: readonly string[] }[]>> = {
  wearables: [
    { name: 'size', values: ['S', 'M', 'L'] },
    { name: 'colour', values: ['black', 'silver'] },
  ],
  accessories: [{ name: 'colour', values: ['black', 'white', 'blue'] }],
};

/**
 * Every other wearable or accessory gets one variant per option combination, sharing the product's
 * stock (so the catalog's totals match a variant-less build); the largest size costs 10 more.
 */
function seedVariants(product: SeedProduct, random: () => number): SeedVariant[] | undefined {
  const options = VARIANT_OPTIONS[product.category];
  if (!options || random() < 0.5) return undefined;
  let combos: { name: string; value: string }[][] = [[]];
  for (const option of options) combos = combos.flatMap((c) => option.values.map((value) => [...c, { name: option.name, value }]));
  const stock = product.stock ?? 0;
  return combos.map((optionValues, i) => ({
    sku: `${product.sku}-${optionValues.map((o) => o.value.slice(0, 3).toUpperCase()).join('-')}`,
    optionValues,
    optionTags: optionValues.map((o) => optionTag(o.name, o.value)),
    priceMinor: optionValues.some((o) => o.value === 'L') ? product.priceMinor + 1000 : null,
    stock: Math.floor(stock / combos.length) + (i < stock % combos.length ? 1 : 0),
    active: true,
  }));
}

/** Builds `count` products from `seed`; pure, so the same arguments always give the same catalog. */
export function buildCatalog(count: number, seed = 42): SeedProduct[] {
  const random = createPrng(seed);
  // Variants draw from their own sequence, so adding them left every other product value unchanged.
  const variantRandom = createPrng(seed + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const categories = Object.keys(CATEGORIES);
  const slugs = new Set<string>();
  const products: SeedProduct[] = [];
  for (let i = 0; i < count; i += 1) {
    const category = categories[i % categories.length];
    const spec = CATEGORIES[category];
    const brand = pick(spec.brands);
    const noun = pick(spec.nouns);
    const name = `${titleCase(brand)} ${pick(ADJECTIVES)} ${titleCase(noun)} ${1 + Math.floor(random() * 20)}`;
    let slug = slugify(name);
    for (let n = 2; slugs.has(slug); n += 1) slug = `${slugify(name)}-${n}`;
    slugs.add(slug);
    const [low, high] = spec.price;
    const whole = Math.floor(low + random() * (high - low));
    const createdAt = new Date(EPOCH + Math.floor(random() * 365 * 24 * 3600) * 1000);
    products.push({
      name,
      slug,
      sku: `SEED-${category.slice(0, 3).toUpperCase()}-${String(i + 1).padStart(5, '0')}`,
      description: `${name}: a ${noun} by ${titleCase(brand)} in our ${category} range.`,
      priceMinor: whole * 100 + pick([99, 49, 0]),
      currency: 'USD',
      category,
      tags: [brand, noun, ...new Set([pick(FEATURES), pick(FEATURES)])],
      stock: random() < 0.1 ? 0 : Math.floor(random() * 500),
      ratingAverage: Math.round((1 + random() * 4) * 10) / 10,
      ratingCount: Math.floor(random() * 2000),
      status: random() < 0.05 ? 'draft' : 'active',
      createdAt,
      updatedAt: createdAt,
    });
    const variants = seedVariants(products[products.length - 1], variantRandom);
    if (variants) products[products.length - 1].variants = variants;
  }
  return products;
}

/** Inserts the catalog in batches; returns how many products were written. */
export async function seedCatalog(products: ProductRepository, options: { count?: number; seed?: number } = {}): Promise<number> {
  const catalog = buildCatalog(options.count ?? 3000, options.seed ?? 42);
  let inserted = 0;
  for (let start = 0; start < catalog.length; start += 500) inserted += await products.insertMany(catalog.slice(start, start + 500));
  return inserted;
}

/**
 * First start of the embedded development database: seed only an empty catalog, so a restart
 * with a persistent database never duplicates or overwrites data.
 */
export async function seedDevelopmentData(deps: {
  products: ProductRepository;
  accounts: Parameters<typeof seedDemoAccounts>[0];
  isProduction: boolean;
}): Promise<{ seededCatalog: boolean }> {
  let seededCatalog = false;
  if ((await deps.products.countAll()) === 0) {
    const count = await seedCatalog(deps.products);
    logger.info('✓ Seeded demo catalog', { products: count });
    seededCatalog = true;
  }
  // One account per role (see README for the credentials); existing ones are left alone.
  await seedDemoAccounts(deps.accounts, { isProduction: deps.isProduction });
  return { seededCatalog };
}
