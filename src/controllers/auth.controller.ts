// HTTP side of /auth: reads validated input, calls one service method, shapes tokens and cookies.
import type { CookieOptions, Request, Response } from 'express';
import type { AppConfig } from '../config';
import type { AuthResult, AuthService, RegisterInput } from '../services/auth/auth.service';
import type { PasswordResetService } from '../services/auth/password-reset';
import type { ClientInfo, SessionService, TokenPair } from '../services/auth/session';
import { UnauthorizedError } from '../utils/errors';
import { sendCreated, sendNoContent, sendSuccess } from '../utils/response';
import type { TypedRequest } from '../utils/typed-request';

export const REFRESH_COOKIE = 'refreshToken';
export const AUTH_PATH = '/api/v1/auth';

interface Services {
  readonly authService: AuthService;
  readonly sessions: SessionService;
  readonly passwordReset: PasswordResetService;
}

export interface LoginBody {
  readonly email: string;
  readonly password: string;
}

export interface RefreshBody {
  readonly refreshToken?: string;
}

export interface ResetBody {
  readonly token: string;
  readonly password: string;
}

const clientOf = (req: Pick<Request, 'get' | 'ip'>): ClientInfo => ({ userAgent: req.get('user-agent'), ip: req.ip });
const cookieToken = (req: Pick<Request, 'cookies'>): string | undefined => (req.cookies as Record<string, string> | undefined)?.[REFRESH_COOKIE];

export function createAuthController(services: Services, config: AppConfig) {
  const cookieOptions: CookieOptions = { httpOnly: true, secure: config.auth.cookieSecure, sameSite: 'strict', path: AUTH_PATH };

  /** In cookie mode the body omits the refresh token: script must never see an HttpOnly secret. */
  function deliver(res: Response, tokens: TokenPair, asCookie: boolean): Partial<TokenPair> {
    res.setHeader('Cache-Control', 'no-store');
    if (!asCookie) return tokens;
    res.cookie(REFRESH_COOKIE, tokens.refreshToken, { ...cookieOptions, expires: tokens.refreshExpiresAt });
    const { refreshToken: _omitted, ...rest } = tokens;
    return rest;
  }

  const wantsCookie = (req: TypedRequest) => req.validated.query.cookie === true;
  const present = (res: Response, result: AuthResult, asCookie: boolean) => ({ account: result.account, tokens: deliver(res, result.tokens, asCookie) });

  function presentedRefreshToken(req: TypedRequest<{ body: RefreshBody | undefined }>): { token: string; fromCookie: boolean } {
    const fromBody = req.validated.body?.refreshToken;
    if (fromBody) return { token: fromBody, fromCookie: false };
    const fromCookie = cookieToken(req);
    if (fromCookie) return { token: fromCookie, fromCookie: true };
    throw new UnauthorizedError('A refresh token is required (body or cookie)', 'REFRESH_TOKEN_MISSING');
  }

  return {
    async register(req: TypedRequest<{ body: RegisterInput }>, res: Response) {
      const result = await services.authService.register(req.validated.body, clientOf(req));
      sendCreated(res, present(res, result, wantsCookie(req)), `/api/v1/accounts/${result.account.id}`);
    },

    async login(req: TypedRequest<{ body: LoginBody }>, res: Response) {
      const { email, password } = req.validated.body;
      const result = await services.authService.login(email, password, clientOf(req));
      sendSuccess(res, present(res, result, wantsCookie(req)));
    },

    async refresh(req: TypedRequest<{ body: RefreshBody | undefined }>, res: Response) {
      const { token, fromCookie } = presentedRefreshToken(req);
      const tokens = await services.sessions.rotate(token, clientOf(req));
      // A client that sent the cookie keeps getting cookies.
      sendSuccess(res, { tokens: deliver(res, tokens, fromCookie || wantsCookie(req)) });
    },

    async logout(req: TypedRequest<{ body: RefreshBody | undefined }>, res: Response) {
      const { token } = presentedRefreshToken(req);
      await services.authService.logout(token);
      res.clearCookie(REFRESH_COOKIE, cookieOptions);
      sendNoContent(res);
    },

    async logoutAll(req: Request, res: Response) {
      await services.authService.logoutAll(req.auth!.id);
      res.clearCookie(REFRESH_COOKIE, cookieOptions);
      sendNoContent(res);
    },

    async forgotPassword(req: TypedRequest<{ body: { email: string } }>, res: Response) {
      services.passwordReset.requestReset(req.validated.body.email);
      sendSuccess(res, { message: 'If an account exists for this email, a reset link has been sent' }, { status: 202 });
    },

    async resetPassword(req: TypedRequest<{ body: ResetBody }>, res: Response) {
      const { token, password } = req.validated.body;
      await services.passwordReset.resetPassword(token, password);
      res.clearCookie(REFRESH_COOKIE, cookieOptions);
      sendNoContent(res);
    },

    async me(req: Request, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      sendSuccess(res, await services.authService.me(req.auth!.id));
    },
  };
}
