// `npm run seed`: writes the demo catalog and one demo account per role into the database at MONGODB_URI.
// `--reset` first removes every product and category (refused in production).
import { config } from './config';
import { connectDatabase } from './loaders/db';
import { seedCatalog } from './loaders/seed';
import { createSeedMedia, createSeedReviews } from './loaders/commands';
import { createSeedRepositories } from './loaders/repositories';
import { seedDemoImages } from './loaders/seed-images';
import { seedDemoReviews } from './loaders/seed-reviews';
import { seedDemoAccounts } from './services/account.seed';
import { logger } from './utils/logger';

async function main(): Promise<void> {
  if (!config.mongo.uri) throw new Error('MONGODB_URI is required: the seed writes to a real database');
  const reset = process.argv.includes('--reset');
  if (reset && config.isProduction) throw new Error('--reset is refused in production');
  const db = await connectDatabase(config);
  try {
    const repositories = await createSeedRepositories(db.connection, config);
    const { products, accounts } = repositories;
    if (reset) {
      logger.warn('Removed every product and category (--reset)', { products: await products.deleteAll(), categories: await repositories.categories.deleteAll() });
    }
    await seedDemoAccounts(accounts, { isProduction: config.isProduction });
    const existing = await products.countAll();
    if (existing > 0) {
      logger.warn('Catalog is not empty; no products seeded (use --reset to replace it)', { products: existing });
      return;
    }
    const count = await seedCatalog(repositories);
    logger.info('✓ Seeded demo catalog', { products: count, uri: db.uri });
    await seedDemoImages({ media: createSeedMedia(repositories, config), products });
    await seedDemoReviews({ reviews: createSeedReviews(repositories, config), repositories });
  } finally {
    await db.close();
  }
}

main().catch((err: Error) => {
  logger.error('Seed failed', { error: err.message });
  process.exitCode = 1;
});
