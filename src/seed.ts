// `npm run seed`: writes the demo catalog and one demo account per role into the database at MONGODB_URI.
// `--reset` first removes every product (refused in production).
import { config } from './config';
import { connectDatabase } from './loaders/db';
import { seedCatalog } from './loaders/seed';
import { seedDemoImages } from './loaders/seed-images';
import { createMediaStorage } from './repositories/media/media-storage';
import { createProductImageRepository } from './repositories/product-image.repository';
import { createMediaService } from './services/media/media.service';
import { Product } from './models/Product';
import { createAccountRepository } from './repositories/account.repository';
import { seedDemoAccounts } from './services/account.seed';
import { createPasswordHasher } from './services/auth/password';
import { createProductRepository } from './repositories/product.repository';
import { logger } from './utils/logger';

async function main(): Promise<void> {
  if (!config.mongo.uri) throw new Error('MONGODB_URI is required: the seed writes to a real database');
  const reset = process.argv.includes('--reset');
  if (reset && config.isProduction) throw new Error('--reset is refused in production');
  const db = await connectDatabase(config);
  try {
    await Product.init();
    const products = createProductRepository(Product);
    if (reset) await Product.deleteMany({});
    const accounts = createAccountRepository(db.connection, createPasswordHasher(config.auth.passwordHash).hash);
    await seedDemoAccounts(accounts, { isProduction: config.isProduction });
    const existing = await products.countAll();
    if (existing > 0) {
      logger.warn('Catalog is not empty; no products seeded (use --reset to replace it)', { products: existing });
      return;
    }
    const count = await seedCatalog(products);
    logger.info('✓ Seeded demo catalog', { products: count, uri: db.uri });
    // A fresh catalog has nothing cached, so the image service needs no cache invalidation here.
    const media = createMediaService({
      images: createProductImageRepository(Product),
      storage: createMediaStorage(config.media),
      limits: config.media,
      invalidateProducts: async () => undefined,
    });
    await seedDemoImages({ media, products });
  } finally {
    await db.close();
  }
}

main().catch((err: Error) => {
  logger.error('Seed failed', { error: err.message });
  process.exitCode = 1;
});
