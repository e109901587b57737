// `npm run reviews:repair`: recomputes every product's rating aggregates (histogram, count,
// average) from its published reviews and every review's helpful count from its votes, in the
// database at MONGODB_URI, and drops the product caches it fixed. `-- --dry-run` only reports.
// Safe while the API runs: a product or review changed during the repair is left alone (counted
// as `raced`); run it again to settle those.
import { config } from './config';
import { createReviewRepair } from './loaders/commands';
import { connectDatabase } from './loaders/db';
import { connectRedis } from './loaders/redis';
import { logger } from './utils/logger';

async function main(): Promise<void> {
  if (!config.mongo.uri) throw new Error('MONGODB_URI is required: the repair works on a real database');
  const dryRun = process.argv.includes('--dry-run');
  const db = await connectDatabase(config);
  const redis = config.cache.enabled ? await connectRedis(config) : null;
  try {
    const repair = await createReviewRepair({ config, redis, mongo: db.connection });
    const report = await repair({ dryRun });
    logger.info(dryRun ? '✓ Review aggregates checked (dry run)' : '✓ Review aggregates repaired', { ...report });
  } finally {
    await redis?.quit();
    await db.close();
  }
}

main().catch((err: Error) => {
  logger.error('Review repair failed', { error: err.message });
  process.exitCode = 1;
});
