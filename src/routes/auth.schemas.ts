// joi schemas for /auth payloads.
import Joi from 'joi';
import { accountView, email, newPassword } from './account.schemas';

// 32 random bytes, base64url: 43 characters.
const opaqueToken = () => Joi.string().pattern(/^[A-Za-z0-9_-]{20,200}$/).messages({ 'string.pattern.base': '{#label} is malformed' });

/** `?cookie=true` asks for the refresh token as an HttpOnly cookie instead of in the body. */
export const cookieQuery = Joi.object({ cookie: Joi.boolean().default(false) });

export const loginBody = Joi.object({
  email: email().required(),
  // Any length a user might have set; the hash decides.
  password: Joi.string().min(1).max(128).required(),
});

export const refreshBody = Joi.object({ refreshToken: opaqueToken() });
export const forgotBody = Joi.object({ email: email().required() });
export const resetBody = Joi.object({ token: opaqueToken().required(), password: newPassword().required() });

export const tokenPairView = Joi.object({
  tokenType: Joi.string().valid('Bearer').required(),
  accessToken: Joi.string().required(),
  expiresIn: Joi.number().integer().required().description('Access token lifetime in seconds'),
  refreshToken: Joi.string().description('Absent when the cookie was requested'),
  refreshExpiresAt: Joi.string().isoDate().required().description('ISO 8601 date-time'),
});

export const authResultView = Joi.object({ account: accountView.required(), tokens: tokenPairView.required() });
