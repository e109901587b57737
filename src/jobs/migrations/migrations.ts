// `npm run migrate`: named, ordered, idempotent data migrations. Each step finds its own pending work
// (so a re-run, or a run racing another, changes nothing twice) and reports what it would change
// under --dry-run. Add a step by appending it to MIGRATIONS; never reorder or rename a shipped one.
import type { ProductRepository } from '../../repositories/product.repository';
import { logger } from '../../utils/logger';
import { productDefaultVariants } from './product-default-variants';

/** What steps may touch; the CLI (src/migrate.ts) builds it from the real connection. */
export interface MigrationDeps {
  readonly products: ProductRepository;
}

export interface MigrationResult {
  /** Documents that needed the change when the step started. */
  readonly pending: number;
  /** Documents this run changed (0 under dry-run). */
  readonly changed: number;
}

export interface Migration {
  readonly name: string;
  readonly description: string;
  run(deps: MigrationDeps, options: { dryRun: boolean }): Promise<MigrationResult>;
}

export const MIGRATIONS: readonly Migration[] = [productDefaultVariants];

export async function runMigrations(
  deps: MigrationDeps,
  options: { dryRun: boolean; only?: readonly string[] },
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<(MigrationResult & { name: string })[]> {
  const results: (MigrationResult & { name: string })[] = [];
  for (const step of migrations) {
    if (options.only?.length && !options.only.includes(step.name)) continue;
    const result = await step.run(deps, { dryRun: options.dryRun });
    logger.info(options.dryRun ? 'migration checked (dry run)' : 'migration applied', { migration: step.name, ...result });
    results.push({ name: step.name, ...result });
  }
  return results;
}
