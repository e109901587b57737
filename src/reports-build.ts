// `npm run reports:build -- --day YYYY-MM-DD [--replace]`: builds one day's sales report (default:
// yesterday in REPORTS_TZ) in the database at MONGODB_URI, as the worker's schedule would, and
// records its email for the worker's relay. A day already stored is left alone unless `--replace`:
// then the stored report is dropped, rebuilt from the orders as they are now, and emailed again.
import { config } from './config';
import { createEmailQueue } from './jobs/email/setup';
import { createServices } from './loaders/container';
import { connectDatabase } from './loaders/db';
import { connectRedis } from './loaders/redis';
import { logger } from './utils/logger';
import { isCalendarDay, previousDay } from './utils/zoned-day';

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function main(): Promise<void> {
  if (!config.mongo.uri) throw new Error('MONGODB_URI is required: reports are built from a real database');
  const day = argument('--day') ?? previousDay(new Date(), config.reports.timeZone);
  if (!isCalendarDay(day)) throw new Error(`--day must be a date, YYYY-MM-DD (got "${day}")`);
  const replace = process.argv.includes('--replace');
  const db = await connectDatabase(config);
  // With Redis the worker's relay is nudged at once; without, it finds the event on its next poll.
  const redis = await connectRedis(config);
  const emailQueue = createEmailQueue(config, redis);
  try {
    const services = createServices({ config, redis, emailQueue, mongo: db.connection });
    const outcome = await services.reports.build(day, { replace });
    logger.info(outcome.built ? '✓ Sales report built; the worker emails it to admins' : '✓ Sales report already stored (use --replace to rebuild)', { ...outcome, timeZone: config.reports.timeZone });
  } finally {
    await emailQueue.close();
    await redis?.quit();
    await db.close();
  }
}

main().catch((err: Error) => {
  logger.error('Sales report build failed', { error: err.message });
  process.exitCode = 1;
});
