// Access tokens for tests. Returns the Authorization header for a caller with the given role.
import { Types } from 'mongoose';
import type { Role } from '../../src/utils/roles';
import type { TestContext } from './app';

export interface TestCaller {
  readonly accountId: string;
  readonly headers: { Authorization: string };
}

export async function callerWithRole(ctx: TestContext, role: Role, accountId = new Types.ObjectId().toString()): Promise<TestCaller> {
  const { token } = ctx.container.tokens.signAccessToken({ id: accountId, role });
  return { accountId, headers: { Authorization: `Bearer ${token}` } };
}
