import cookieParser from 'cookie-parser';
import Joi from 'joi';
import { createAuthController } from '../controllers/auth.controller';
import type { Container } from './container.types';
import { createRateLimiter } from '../middlewares/security';
import { noBody } from '../middlewares/validate';
import { accountView, registerBody } from './account.schemas';
import { authResultView, cookieQuery, forgotBody, loginBody, refreshBody, resetBody, tokenPairView } from './auth.schemas';
import type { RouteDefinition } from './route-table';

const TAGS = ['Auth'];

// Examples for the docs; the Postman hints thread the run's own customer through the requests.
const PASSWORD = 'correct horse battery staple';
const REFRESH_TOKEN_EXAMPLE = 'pQ3v9Yt0cX2bW8nL5kR7sJ1hF4dG6aZ0mE2uI9oT3yQ';
const TOKEN_CAPTURES = { accessToken: 'data.tokens.accessToken', refreshToken: 'data.tokens.refreshToken' };
const PRESENT_REFRESH_TOKEN = { body: { refreshToken: '{{refreshToken}}' } };

export function authRoutes(container: Container): RouteDefinition[] {
  const { config } = container;
  const controller = createAuthController(container, config);
  // One limiter (one counter per client) shared by every credential-guessing surface.
  const authLimiter = createRateLimiter(
    { name: 'auth', windowMs: config.rateLimit.authWindowMs, max: config.rateLimit.authMax, message: 'Too many authentication attempts, please try again later' },
    container.redis,
    config.redis.keyPrefix,
  );
  // Only the endpoints that read the refresh cookie parse cookies.
  const cookies = cookieParser();

  return [
    {
      method: 'post',
      path: '/auth/register',
      summary: 'Create a customer account and sign in',
      tags: TAGS,
      access: 'public',
      before: [authLimiter],
      validate: { query: cookieQuery, body: registerBody },
      responses: { 201: { description: 'Account created', schema: authResultView }, 409: { description: 'EMAIL_TAKEN' } },
      requestExample: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', password: PASSWORD },
      // A fresh email per run, so the collection can run again against the same database.
      postman: {
        body: { email: 'e2e-{{$guid}}@example.com' },
        captures: { ...TOKEN_CAPTURES, accountId: 'data.account.id', customerEmail: 'data.account.email' },
      },
      handler: controller.register,
    },
    {
      method: 'post',
      path: '/auth/login',
      summary: 'Exchange email and password for a token pair',
      tags: TAGS,
      access: 'public',
      before: [authLimiter],
      validate: { query: cookieQuery, body: loginBody },
      responses: {
        200: { description: 'Signed in', schema: authResultView },
        401: { description: 'INVALID_CREDENTIALS or ACCOUNT_INACTIVE' },
        423: { description: 'ACCOUNT_LOCKED, with Retry-After' },
      },
      requestExample: { email: 'ada@example.com', password: PASSWORD },
      postman: { body: { email: '{{customerEmail}}' }, captures: TOKEN_CAPTURES },
      handler: controller.login,
    },
    {
      method: 'post',
      path: '/auth/refresh',
      summary: 'Rotate a refresh token (body or cookie) into a new pair',
      tags: TAGS,
      access: 'public',
      security: ['refreshCookie'],
      before: [authLimiter, cookies],
      validate: { query: cookieQuery, body: refreshBody },
      responses: {
        200: { description: 'New pair; the presented token is spent', schema: Joi.object({ tokens: tokenPairView }) },
        401: { description: 'REFRESH_TOKEN_INVALID, REFRESH_TOKEN_REUSED (family revoked), REFRESH_TOKEN_MISSING, ACCOUNT_INACTIVE' },
      },
      requestExample: { refreshToken: REFRESH_TOKEN_EXAMPLE },
      postman: { ...PRESENT_REFRESH_TOKEN, captures: TOKEN_CAPTURES },
      handler: controller.refresh,
    },
    {
      method: 'post',
      path: '/auth/logout',
      summary: "Revoke the refresh token's session (its whole family)",
      tags: TAGS,
      access: 'public',
      security: ['refreshCookie'],
      before: [cookies],
      validate: { body: refreshBody },
      responses: {
        204: { description: 'Signed out (also for an unknown token)' },
        401: { description: 'REFRESH_TOKEN_MISSING: no refresh token in the body or the cookie' },
      },
      requestExample: { refreshToken: REFRESH_TOKEN_EXAMPLE },
      postman: PRESENT_REFRESH_TOKEN,
      handler: controller.logout,
    },
    {
      method: 'post',
      path: '/auth/logout-all',
      summary: "Revoke every refresh token of the caller's account",
      tags: TAGS,
      access: 'authenticated',
      validate: { body: noBody },
      responses: { 204: { description: 'Every session ended' } },
      handler: controller.logoutAll,
    },
    {
      method: 'post',
      path: '/auth/password/forgot',
      summary: 'Email a single-use password reset token',
      description: 'Answers 202 whether or not the email has an account.',
      tags: TAGS,
      access: 'public',
      before: [authLimiter],
      validate: { body: forgotBody },
      responses: { 202: { description: 'Accepted', schema: Joi.object({ message: Joi.string() }) } },
      requestExample: { email: 'ada@example.com' },
      postman: { body: { email: '{{customerEmail}}' } },
      handler: controller.forgotPassword,
    },
    {
      method: 'post',
      path: '/auth/password/reset',
      summary: 'Set a new password with a reset token; ends every session',
      tags: TAGS,
      access: 'public',
      before: [authLimiter],
      validate: { body: resetBody },
      responses: { 204: { description: 'Password changed' }, 400: { description: 'RESET_TOKEN_INVALID' } },
      requestExample: { token: 'x7Jk2Qp9Lm4Rt8Vw1Yz5Bc3Nd6Fg0Hs2Aq7Ue9Io4Pl', password: 'a new long passphrase' },
      postman: {
        body: { token: '{{resetToken}}' },
        skipUnlessSet: {
          variable: 'resetToken',
          why:
            'the token exists only in the password-reset email (in development: an .eml file under logs/mail), which a collection run cannot read; ' +
            'paste it into the resetToken environment variable to send this request. tests/integration/auth-password.test.ts covers it with the token from the queued email',
        },
      },
      handler: controller.resetPassword,
    },
    {
      method: 'get',
      path: '/auth/me',
      summary: "The caller's account",
      tags: TAGS,
      access: 'authenticated',
      responses: { 200: { description: 'The account', schema: accountView } },
      handler: controller.me,
    },
  ];
}
