// Refresh-token rotation and reuse detection, against an in-memory token store.
import type { Principal } from '../../src/utils/roles';
import type { NewRefreshToken, RefreshTokenRecord, RefreshTokenRepository } from '../../src/repositories/token.repository';
import { createSessionService, hashToken } from '../../src/services/auth/session';
import { createTokenService } from '../../src/services/auth/token';
import { testConfig } from '../support/app';

interface Row extends RefreshTokenRecord {
  tokenHash: string;
}

function createMemoryRefreshTokens() {
  const rows: Row[] = [];
  let seq = 0;
  const repo: RefreshTokenRepository = {
    newId: () => `id${(seq += 1)}`,
    async create(input: NewRefreshToken) {
      rows.push({ id: input.id ?? `id${(seq += 1)}`, tokenHash: input.tokenHash, accountId: input.accountId, family: input.family, expiresAt: input.expiresAt, revokedAt: null, replacedBy: null });
    },
    async consume(tokenHash, replacedBy, now) {
      const row = rows.find((r) => r.tokenHash === tokenHash && !r.revokedAt && r.expiresAt > now);
      if (!row) return null;
      Object.assign(row, { revokedAt: now, replacedBy });
      return { ...row };
    },
    async findByHash(tokenHash) {
      const row = rows.find((r) => r.tokenHash === tokenHash);
      return row ? { ...row } : null;
    },
    async revokeFamily(family, now) {
      const live = rows.filter((r) => r.family === family && !r.revokedAt);
      live.forEach((r) => (r.revokedAt = now));
      return live.length;
    },
    async revokeAllForAccount(accountId, now) {
      const live = rows.filter((r) => r.accountId === accountId && !r.revokedAt);
      live.forEach((r) => (r.revokedAt = now));
      return live.length;
    },
    async countActive(accountId, now) {
      return rows.filter((r) => r.accountId === accountId && !r.revokedAt && r.expiresAt > now).length;
    },
  };
  return { repo, rows };
}

describe('session service', () => {
  const config = testConfig();
  const alice: Principal = { id: 'a1', role: 'customer' };
  let clock: Date;
  let principals: Map<string, Principal>;

  function setup() {
    const store = createMemoryRefreshTokens();
    const sessions = createSessionService({
      tokens: createTokenService(config.auth),
      refreshTokens: store.repo,
      refreshTtlSeconds: 3600,
      loadPrincipal: async (id) => principals.get(id) ?? null,
      now: () => clock,
    });
    return { sessions, rows: store.rows };
  }

  beforeEach(() => {
    clock = new Date('2026-01-01T00:00:00Z');
    principals = new Map([[alice.id, alice]]);
  });

  it('when a pair is issued, then only the hash of the refresh token is stored, in a new family', async () => {
    const { sessions, rows } = setup();
    const pair = await sessions.issue(alice, {});
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(hashToken(pair.refreshToken));
    expect(rows[0].expiresAt.toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('when a token is rotated, then the new one joins the same family and the old is marked replaced', async () => {
    const { sessions, rows } = setup();
    const first = await sessions.issue(alice, {});
    const second = await sessions.rotate(first.refreshToken, {});
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(rows).toHaveLength(2);
    expect(rows[1].family).toBe(rows[0].family);
    expect(rows[0]).toMatchObject({ revokedAt: clock, replacedBy: rows[1].id });
  });

  it('when a rotated token is replayed, then REFRESH_TOKEN_REUSED and every token of the family is revoked', async () => {
    const { sessions, rows } = setup();
    const first = await sessions.issue(alice, {});
    const unrelated = await sessions.issue(alice, {});
    await sessions.rotate(first.refreshToken, {});
    await expect(sessions.rotate(first.refreshToken, {})).rejects.toMatchObject({ status: 401, code: 'REFRESH_TOKEN_REUSED' });
    const family = rows[0].family;
    expect(rows.filter((r) => r.family === family).every((r) => r.revokedAt)).toBe(true);
    // Another login's family is untouched.
    await expect(sessions.rotate(unrelated.refreshToken, {})).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('when the token expired, then REFRESH_TOKEN_INVALID without revoking anything', async () => {
    const { sessions, rows } = setup();
    const pair = await sessions.issue(alice, {});
    clock = new Date(clock.getTime() + 3601_000);
    await expect(sessions.rotate(pair.refreshToken, {})).rejects.toMatchObject({ code: 'REFRESH_TOKEN_INVALID' });
    expect(rows[0].revokedAt).toBeNull();
  });

  it('when the account can no longer act, then ACCOUNT_INACTIVE and the family is revoked', async () => {
    const { sessions, rows } = setup();
    const pair = await sessions.issue(alice, {});
    principals.delete(alice.id);
    await expect(sessions.rotate(pair.refreshToken, {})).rejects.toMatchObject({ code: 'ACCOUNT_INACTIVE' });
    expect(rows.every((r) => r.revokedAt)).toBe(true);
  });

  it('when the role changed since login, then the rotated access token carries the current role', async () => {
    const { sessions } = setup();
    const pair = await sessions.issue(alice, {});
    principals.set(alice.id, { id: alice.id, role: 'manager' });
    const next = await sessions.rotate(pair.refreshToken, {});
    expect(createTokenService(config.auth).verifyAccessToken(next.accessToken).role).toBe('manager');
  });
});
