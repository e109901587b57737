// Authentication (who is calling) and authorization (may they) as route middleware.
// 401 = we do not know who you are; 403 = we know, and the answer is no.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessTokenClaims, TokenService } from '../services/auth/token';
import { ForbiddenError, UnauthorizedError } from '../utils/errors';
import type { Principal, Role } from '../utils/roles';

/**
 * Resolves the subject of a valid token to the caller as they are now (role changes and
 * deactivation take effect immediately); null when the account can no longer act.
 */
export type PrincipalLoader = (accountId: string, claims: { role: Role }) => Promise<Principal | null>;

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9\-_.]+)$/.exec(header.trim());
  if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <token>"', 'TOKEN_INVALID');
  return match[1];
}

// The rate limiter attributes a request to its account before authentication runs; the claims it
// verified are kept for the request, so a token's signature is checked once per request, not twice.
const verified = new WeakMap<Request, { token: string; claims: AccessTokenClaims }>();

function verifyOnce(tokens: Pick<TokenService, 'verifyAccessToken'>, req: Request, token: string): AccessTokenClaims {
  const known = verified.get(req);
  if (known && known.token === token) return known.claims;
  const claims = tokens.verifyAccessToken(token);
  verified.set(req, { token, claims });
  return claims;
}

/**
 * The account id behind a valid bearer token, or undefined — never throws. Used where a request
 * only needs to be attributed (rate limiting), before and independently of authentication.
 */
export function bearerAccount(tokens: Pick<TokenService, 'verifyAccessToken'>): (req: Request) => string | undefined {
  return (req) => {
    const header = req.get('authorization');
    if (!header) return undefined;
    try {
      const token = bearerToken(req);
      return token ? verifyOnce(tokens, req, token).sub : undefined;
    } catch {
      return undefined;
    }
  };
}

export interface AuthMiddlewares {
  /** Requires a valid access token. */
  authenticate: RequestHandler;
  /** Authenticates when a token is present; anonymous callers pass through. */
  authenticateOptional: RequestHandler;
}

export function createAuthMiddlewares(tokens: TokenService, loadPrincipal: PrincipalLoader): AuthMiddlewares {
  async function resolve(req: Request, token: string): Promise<void> {
    const claims = verifyOnce(tokens, req, token);
    const principal = await loadPrincipal(claims.sub, { role: claims.role });
    if (!principal) throw new UnauthorizedError('Account is not active', 'ACCOUNT_INACTIVE');
    req.auth = principal;
  }

  return {
    async authenticate(req: Request, _res: Response, next: NextFunction) {
      const token = bearerToken(req);
      if (!token) throw new UnauthorizedError('Authentication required', 'UNAUTHORIZED');
      await resolve(req, token);
      next();
    },
    // Not async: an anonymous read (the common case on public routes) passes without a promise.
    authenticateOptional(req: Request, _res: Response, next: NextFunction) {
      const token = bearerToken(req);
      if (!token) return next();
      return resolve(req, token).then(() => next());
    },
  };
}

export function authorize(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) throw new UnauthorizedError();
    if (roles.length && !roles.includes(req.auth.role)) throw new ForbiddenError();
    next();
  };
}
