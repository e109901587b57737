// `npm run migrate [-- --dry-run] [-- --only=<name>,…]`: runs the data migrations (src/jobs/migrations)
// against MONGODB_URI. Safe to repeat: every step only touches documents that still need it.
import { config } from './config';
import { runMigrations } from './jobs/migrations/migrations';
import { createSeedRepositories } from './loaders/repositories';
import { connectDatabase } from './loaders/db';
import { logger } from './utils/logger';

async function main(): Promise<void> {
  if (!config.mongo.uri) throw new Error('MONGODB_URI is required: migrations run against a real database');
  const dryRun = process.argv.includes('--dry-run');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').filter(Boolean);
  const db = await connectDatabase(config);
  try {
    // The same repositories (and index build) as the seed, so steps write through the API's rules.
    const { products, categories, productCategories } = await createSeedRepositories(db.connection, config);
    const results = await runMigrations({ products, categories, productCategories }, { dryRun, only });
    logger.info(dryRun ? 'Dry run: nothing was written' : '✓ Migrations done', { steps: results.length, uri: db.uri });
  } finally {
    await db.close();
  }
}

main().catch((err: Error) => {
  logger.error('Migration failed', { error: err.message });
  process.exitCode = 1;
});
