// Callers for tests: real accounts in the file's database, so authentication (which looks the
// account up on every request) accepts them.
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import request from 'supertest';
import type { Role } from '../../src/utils/roles';
import type { TestContext } from './app';

export interface TestCaller {
  readonly accountId: string;
  readonly headers: { Authorization: string };
}

export const TEST_PASSWORD = 'correct horse battery staple';

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.test`;
}

/**
 * An active account with `role` (created unless `accountId` already exists) and a valid access token for it.
 * Authentication reads the role from the database, so for an existing account its stored role applies.
 */
export async function callerWithRole(ctx: TestContext, role: Role, accountId = new Types.ObjectId().toString()): Promise<TestCaller> {
  const existing = await ctx.container.accounts.findById(accountId);
  if (!existing) {
    await ctx.container.accounts.create({
      id: accountId,
      firstName: 'Test',
      lastName: role,
      email: uniqueEmail(role),
      password: TEST_PASSWORD,
      role,
    });
  }
  const { token } = ctx.container.tokens.signAccessToken({ id: accountId, role });
  return { accountId, headers: { Authorization: `Bearer ${token}` } };
}

export interface RegisteredUser {
  readonly accountId: string;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly headers: { Authorization: string };
}

/** Registers a customer through the API and returns its credentials and token pair. */
export async function registerAndLogin(ctx: TestContext, overrides: { email?: string; password?: string } = {}): Promise<RegisteredUser> {
  const email = overrides.email ?? uniqueEmail('customer');
  const password = overrides.password ?? TEST_PASSWORD;
  const res = await request(ctx.app).post('/api/v1/auth/register').send({ firstName: 'Ada', lastName: 'Lovelace', email, password });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { account, tokens } = res.body.data;
  return {
    accountId: account.id,
    email,
    password,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    headers: { Authorization: `Bearer ${tokens.accessToken}` },
  };
}
