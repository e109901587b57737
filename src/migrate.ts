// `npm run migrate [-- --dry-run] [-- --only=<name>,…]`: runs the data migrations (src/jobs/migrations)
// against MONGODB_URI. Safe to repeat: every step only touches documents that still need it.
import { config } from './config';
import { runMigrations } from './jobs/migrations/migrations';
import { connectDatabase } from './loaders/db';
import { Product } from './models/Product';
import { createProductRepository } from './repositories/product.repository';
import { logger } from './utils/logger';

async function main(): Promise<void> {
  if (!config.mongo.uri) throw new Error('MONGODB_URI is required: migrations run against a real database');
  const dryRun = process.argv.includes('--dry-run');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').filter(Boolean);
  const db = await connectDatabase(config);
  try {
    await Product.init();
    const results = await runMigrations({ products: createProductRepository(Product) }, { dryRun, only });
    logger.info(dryRun ? 'Dry run: nothing was written' : '✓ Migrations done', { steps: results.length, uri: db.uri });
  } finally {
    await db.close();
  }
}

main().catch((err: Error) => {
  logger.error('Migration failed', { error: err.message });
  process.exitCode = 1;
});
