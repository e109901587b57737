// Login lockout and account policies, with the repository and hasher replaced by in-memory fakes.
import type { Principal } from '../../src/utils/roles';
import type { AccountCredentials, AccountView } from '../../src/repositories/account.repository';
import { assertMayUpdate, isActive } from '../../src/services/account.service';
import { createAuthService, type AuthServiceDeps } from '../../src/services/auth/auth.service';
import { createRecordingEmailQueue } from '../support/fakes';

const NOW = new Date('2026-01-01T00:00:00Z');

function setup(initial: Partial<AccountCredentials> = {}) {
  const account: AccountCredentials & { failed: number; lastLoginAt?: Date } = {
    id: 'a1',
    email: 'a@example.test',
    firstName: 'A',
    role: 'customer',
    status: 'active',
    passwordHash: 'hash-of:right',
    lockUntil: null,
    failed: 0,
    ...initial,
  };
  const calls = { dummyVerifies: 0 };
  const deps: AuthServiceDeps = {
    accounts: {
      create: async () => {
        throw new Error('not used');
      },
      findById: async (id) => (id === account.id ? ({ id, email: account.email, role: account.role } as AccountView) : null),
      findByEmailWithPassword: async (email) => (email === account.email ? { ...account } : null),
      async recordFailedLogin(_id, max, lockUntil) {
        account.failed += 1;
        if (account.failed < max) return { locked: false };
        Object.assign(account, { status: 'locked', lockUntil, failed: 0 });
        return { locked: true };
      },
      async recordSuccessfulLogin(_id, at) {
        Object.assign(account, { failed: 0, lockUntil: null, status: 'active', lastLoginAt: at });
      },
    },
    sessions: {
      issue: async () => ({ tokenType: 'Bearer', accessToken: 'at', expiresIn: 900, refreshToken: 'rt', refreshExpiresAt: NOW }),
      revokeFamilyOf: async () => undefined,
      revokeAll: async () => 0,
    },
    hasher: {
      verify: async (hash, plain) => hash === `hash-of:${plain}`,
      verifyDummy: async () => {
        calls.dummyVerifies += 1;
        return false;
      },
    },
    emailQueue: createRecordingEmailQueue(),
    policy: { maxFailedLogins: 3, lockoutSeconds: 60 },
    now: () => NOW,
  };
  return { auth: createAuthService(deps), account, calls };
}

describe('login rules', () => {
  it('when the email is unknown, then a dummy hash is verified and INVALID_CREDENTIALS is thrown', async () => {
    const { auth, calls } = setup();
    await expect(auth.login('nobody@example.test', 'x', {})).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(calls.dummyVerifies).toBe(1);
  });

  it('when the third wrong password arrives, then the account locks for the configured period', async () => {
    const { auth, account } = setup();
    for (let i = 0; i < 3; i += 1) await expect(auth.login(account.email, 'wrong', {})).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(account.status).toBe('locked');
    expect(account.lockUntil?.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    await expect(auth.login(account.email, 'right', {})).rejects.toMatchObject({ status: 423, code: 'ACCOUNT_LOCKED', headers: { 'Retry-After': '60' } });
  });

  it('when the lock has passed, then the right password signs in and clears the lock', async () => {
    const { auth, account } = setup({ status: 'locked', lockUntil: new Date(NOW.getTime() - 1) });
    await expect(auth.login(account.email, 'right', {})).resolves.toMatchObject({ tokens: { accessToken: 'at' } });
    expect(account).toMatchObject({ status: 'active', lockUntil: null, lastLoginAt: NOW });
  });

  it('when an admin locked the account without an end, then login is refused without Retry-After', async () => {
    const { auth, account } = setup({ status: 'locked', lockUntil: null });
    const err = await auth.login(account.email, 'right', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 423, code: 'ACCOUNT_LOCKED', headers: undefined });
  });

  it('when a disabled account guesses wrong, then failures are not counted', async () => {
    const { auth, account } = setup({ status: 'disabled' });
    await expect(auth.login(account.email, 'wrong', {})).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(account.failed).toBe(0);
  });
});

describe('account policies', () => {
  const customer: Principal = { id: 'c1', role: 'customer' };
  const admin: Principal = { id: 'ad1', role: 'admin' };

  it('when a customer edits their own profile, then it is allowed; role or status is forbidden', () => {
    expect(() => assertMayUpdate(customer, 'c1', { firstName: 'X' })).not.toThrow();
    expect(() => assertMayUpdate(customer, 'c1', { role: 'admin' })).toThrow(expect.objectContaining({ code: 'ACCOUNT_FIELD_FORBIDDEN' }));
    expect(() => assertMayUpdate(customer, 'c1', { status: 'active' })).toThrow(expect.objectContaining({ code: 'ACCOUNT_FIELD_FORBIDDEN' }));
  });

  it("when a manager edits someone else's account, then FORBIDDEN", () => {
    expect(() => assertMayUpdate({ id: 'm1', role: 'manager' }, 'c1', { firstName: 'X' })).toThrow(expect.objectContaining({ status: 403, code: 'FORBIDDEN' }));
  });

  it('when an admin changes another role, then allowed; their own role, then SELF_ADMINISTRATION_FORBIDDEN', () => {
    expect(() => assertMayUpdate(admin, 'c1', { role: 'manager', status: 'disabled' })).not.toThrow();
    expect(() => assertMayUpdate(admin, 'ad1', { role: 'customer' })).toThrow(expect.objectContaining({ code: 'SELF_ADMINISTRATION_FORBIDDEN' }));
    expect(() => assertMayUpdate(admin, 'ad1', { lastName: 'Y' })).not.toThrow();
  });

  it('when deciding whether an account may act, then deleted, disabled and admin-locked accounts may not; a login lockout does not sign its owner out', () => {
    const base = { id: 'x', role: 'customer' as const, status: 'active' as const, lockUntil: null, deletedAt: null };
    expect(isActive(base)).toBe(true);
    expect(isActive({ ...base, deletedAt: NOW })).toBe(false);
    expect(isActive({ ...base, status: 'disabled' })).toBe(false);
    expect(isActive({ ...base, status: 'locked', lockUntil: null })).toBe(false);
    expect(isActive({ ...base, status: 'locked', lockUntil: new Date(NOW.getTime() + 1000) })).toBe(true);
    expect(isActive({ ...base, status: 'locked', lockUntil: new Date(NOW.getTime() - 1000) })).toBe(true);
  });
});

describe('password reset requests', () => {
  it('when the email queue fails, then the caller is not affected and drain() still settles', async () => {
    const { createPasswordResetService } = await import('../../src/services/auth/password-reset');
    const created: string[] = [];
    const service = createPasswordResetService({
      accounts: {
        findByEmailWithPassword: async () => ({ id: 'a1', email: 'a@example.test', firstName: 'A', role: 'customer', status: 'active', passwordHash: 'h', lockUntil: null }),
        setPassword: async () => true,
      },
      resetTokens: {
        create: async (input) => (created.push(input.tokenHash), { id: 't1' }),
        consume: async () => null,
        invalidateForAccount: async () => undefined,
      },
      sessions: { revokeAll: async () => 0 },
      emailQueue: { enqueue: async () => Promise.reject(new Error('redis down')), close: async () => undefined },
      ttlSeconds: 60,
    });
    expect(() => service.requestReset('a@example.test')).not.toThrow();
    await expect(service.drain()).resolves.toBeUndefined();
    expect(created).toHaveLength(1);
  });
});
