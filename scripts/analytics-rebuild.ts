// `npm run analytics:rebuild -- --from <iso> --to <iso>`: recomputes the hourly sales rollups of the
// range from the orders (same rules as the worker's consumer) and replaces that range's documents.
// Run it while no order event of the range is waiting in the outbox (see services/analytics/README.md).
import mongoose from 'mongoose';
import { config } from '../src/config';
import { createRepositories } from '../src/loaders/container';
import { createAnalyticsService } from '../src/services/analytics/analytics.service';
import { createPasswordHasher } from '../src/services/auth/password';
import { createTransactionRunner } from '../src/services/transactions';

function arg(name: string): Date {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? process.argv[i + 1] : undefined;
  const at = value ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) throw new Error(`--${name} <ISO date> is required (e.g. --from 2026-03-01T00:00:00Z --to 2026-04-01T00:00:00Z)`);
  return at;
}

async function main(): Promise<void> {
  const from = arg('from');
  const to = arg('to');
  if (from >= to) throw new Error('--from must be before --to');
  if (!config.mongo.uri) throw new Error('Set MONGODB_URI to the database to rebuild');
  await mongoose.connect(config.mongo.uri, { dbName: config.mongo.dbName, serverSelectionTimeoutMS: 5000 });
  try {
    const repositories = createRepositories(mongoose.connection, createPasswordHasher(config.auth.passwordHash));
    const analytics = createAnalyticsService({ repository: repositories.analytics, transactions: createTransactionRunner(mongoose.connection) });
    const started = Date.now();
    const result = await analytics.rebuild(from, to);
    process.stdout.write(`analytics:rebuild ${result.from} → ${result.to}: ${result.orders} orders, ${result.hours} hourly rollups written in ${Date.now() - started} ms\n`);
  } finally {
    await mongoose.disconnect();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`analytics:rebuild failed: ${err.message}\n`);
  process.exitCode = 1;
});
