// Seeds the benchmark database (MONGODB_URI): the deterministic 10,000-product catalog from the
// products module and the demo accounts (admin for the orders listing, customer for login).
// Run by bench/run.ts as a child process, so the config is read from the environment it is given.
import { config } from '../src/config';
import { connectDatabase } from '../src/loaders/db';
import { seedCatalog } from '../src/loaders/seed';
import { createSeedRepositories } from '../src/loaders/repositories';
import { seedDemoAccounts } from '../src/services/account.seed';

const CATALOG_SIZE = 10_000;

async function main(): Promise<void> {
  const db = await connectDatabase(config);
  try {
    const repositories = await createSeedRepositories(db.connection, config);
    const { products, accounts } = repositories;
    const count = (await products.countAll()) || (await seedCatalog(repositories, { count: CATALOG_SIZE }));
    await seedDemoAccounts(accounts, { isProduction: false });
    process.stdout.write(`${JSON.stringify({ seeded: count })}\n`);
  } finally {
    await db.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`seed failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
