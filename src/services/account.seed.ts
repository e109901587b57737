// Demo accounts, one per role, for development and demos. Idempotent: existing emails are left alone.
// The passwords are public (README), so seeding refuses to run against production.
import type { AccountRepository } from '../repositories/account.repository';
import { logger } from '../utils/logger';
import type { Role } from '../utils/roles';

export interface DemoAccount {
  readonly role: Role;
  readonly email: string;
  readonly password: string;
  readonly firstName: string;
  readonly lastName: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { role: 'admin', email: 'admin@demo.commerce.local', password: 'Admin-demo-2026!', firstName: 'Ada', lastName: 'Admin' },
  { role: 'manager', email: 'manager@demo.commerce.local', password: 'Manager-demo-2026!', firstName: 'Max', lastName: 'Manager' },
  { role: 'customer', email: 'customer@demo.commerce.local', password: 'Customer-demo-2026!', firstName: 'Cleo', lastName: 'Customer' },
];

export async function seedDemoAccounts(
  accounts: Pick<AccountRepository, 'existsByEmail' | 'create'>,
  options: { readonly isProduction: boolean },
): Promise<{ created: string[]; skipped: string[] }> {
  if (options.isProduction) throw new Error('refusing to seed demo accounts with published passwords into production');
  const created: string[] = [];
  const skipped: string[] = [];
  for (const demo of DEMO_ACCOUNTS) {
    if (await accounts.existsByEmail(demo.email)) {
      skipped.push(demo.email);
      continue;
    }
    await accounts.create({ firstName: demo.firstName, lastName: demo.lastName, email: demo.email, password: demo.password, role: demo.role });
    created.push(demo.email);
  }
  logger.info('demo accounts seeded', { created: created.length, skipped: skipped.length });
  return { created, skipped };
}
