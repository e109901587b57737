// Token pairs: a short-lived JWT access token plus an opaque, rotating refresh token stored hashed.
// Rotation makes each refresh token single-use; replaying a rotated one revokes its whole family.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../../utils/roles';
import type { RefreshTokenRepository } from '../../repositories/token.repository';
import { UnauthorizedError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import type { TokenService } from './token';

export interface TokenPair {
  readonly tokenType: 'Bearer';
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: Date;
}

export interface ClientInfo {
  readonly userAgent?: string;
  readonly ip?: string;
}

export interface SessionServiceDeps {
  readonly tokens: TokenService;
  readonly refreshTokens: RefreshTokenRepository;
  readonly refreshTtlSeconds: number;
  /** The account as it is now, or null when it may no longer act. */
  readonly loadPrincipal: (accountId: string) => Promise<Principal | null>;
  readonly now?: () => Date;
}

/** Refresh and reset tokens carry 256 random bits, so a fast hash is enough to store them safely. */
export function hashToken(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}

export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function createSessionService(deps: SessionServiceDeps) {
  const { tokens, refreshTokens } = deps;
  const now = deps.now ?? (() => new Date());

  async function issue(principal: Principal, client: ClientInfo, family: string = randomUUID(), id?: string): Promise<TokenPair> {
    const refreshToken = generateOpaqueToken();
    const refreshExpiresAt = new Date(now().getTime() + deps.refreshTtlSeconds * 1000);
    await refreshTokens.create({ id, tokenHash: hashToken(refreshToken), accountId: principal.id, family, expiresAt: refreshExpiresAt, ...client });
    const access = tokens.signAccessToken(principal);
    return { tokenType: 'Bearer', accessToken: access.token, expiresIn: access.expiresIn, refreshToken, refreshExpiresAt };
  }

  return {
    /** Starts a new token family (a login or registration). */
    issue: (principal: Principal, client: ClientInfo) => issue(principal, client),

    /** Exchanges a refresh token for a new pair in the same family; the presented token dies. */
    async rotate(raw: string, client: ClientInfo): Promise<TokenPair> {
      const at = now();
      const tokenHash = hashToken(raw);
      const nextId = refreshTokens.newId();
      const used = await refreshTokens.consume(tokenHash, nextId, at);
      if (!used) {
        const known = await refreshTokens.findByHash(tokenHash);
        if (known?.revokedAt) {
          // Someone holds a token that was already spent: assume theft, end every session it descends from.
          const revoked = await refreshTokens.revokeFamily(known.family, at);
          logger.warn('refresh token reuse detected; family revoked', { accountId: known.accountId, family: known.family, revoked });
          throw new UnauthorizedError('Refresh token has already been used; please sign in again', 'REFRESH_TOKEN_REUSED');
        }
        throw new UnauthorizedError('Refresh token is invalid or expired', 'REFRESH_TOKEN_INVALID');
      }
      const principal = await deps.loadPrincipal(used.accountId);
      if (!principal) {
        await refreshTokens.revokeFamily(used.family, at);
        throw new UnauthorizedError('Account is not active', 'ACCOUNT_INACTIVE');
      }
      return issue(principal, client, used.family, nextId);
    },

    /** Ends the session the token belongs to. Unknown tokens are ignored: logout is idempotent. */
    async revokeFamilyOf(raw: string): Promise<void> {
      const known = await refreshTokens.findByHash(hashToken(raw));
      if (known) await refreshTokens.revokeFamily(known.family, now());
    },

    async revokeAll(accountId: string): Promise<number> {
      return refreshTokens.revokeAllForAccount(accountId, now());
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
