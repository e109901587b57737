// Access token verification remembers the tokens it has verified (claims reused, signature not
// re-checked): that must never make a token live longer or let a forged one through.
import jwt from 'jsonwebtoken';
import type { AppConfig } from '../../src/config';
import { createTokenService } from '../../src/services/auth/token';

const auth = { jwtSecret: 'k'.repeat(64), jwtIssuer: 'commerce-api', jwtAudience: 'commerce-api-clients', accessTokenTtlSeconds: 60 } as AppConfig['auth'];
const ACCOUNT = '64b000000000000000000001';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('access token verification', () => {
  afterEach(() => jest.restoreAllMocks());

  it('when a verified token is presented again, then the same claims come back', () => {
    const tokens = createTokenService(auth);
    const { token, jti } = tokens.signAccessToken({ id: ACCOUNT, role: 'admin' });
    const first = tokens.verifyAccessToken(token);
    expect(first).toMatchObject({ sub: ACCOUNT, role: 'admin', jti });
    expect(tokens.verifyAccessToken(token)).toEqual(first);
  });

  it('when a token verified earlier has since expired, then it is refused with TOKEN_EXPIRED', () => {
    const tokens = createTokenService(auth);
    const { token } = tokens.signAccessToken({ id: ACCOUNT, role: 'customer' });
    expect(tokens.verifyAccessToken(token).sub).toBe(ACCOUNT);
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + (auth.accessTokenTtlSeconds + 1) * 1000);
    expect(codeOf(() => tokens.verifyAccessToken(token))).toBe('TOKEN_EXPIRED');
    expect(codeOf(() => tokens.verifyAccessToken(token))).toBe('TOKEN_EXPIRED');
  });

  it('when a verified token is altered (claims or signature), then the altered one is refused', () => {
    const tokens = createTokenService(auth);
    const { token } = tokens.signAccessToken({ id: ACCOUNT, role: 'customer' });
    tokens.verifyAccessToken(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(codeOf(() => tokens.verifyAccessToken(`${header}.${elevated}.${signature}`))).toBe('TOKEN_INVALID');
    const otherSignature = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(codeOf(() => tokens.verifyAccessToken(`${header}.${payload}.${otherSignature}`))).toBe('TOKEN_INVALID');
    const forged = jwt.sign({ role: 'admin' }, 'another-secret', { algorithm: 'HS256', subject: ACCOUNT, jwtid: 'x', issuer: auth.jwtIssuer, audience: auth.jwtAudience, expiresIn: 60 });
    expect(codeOf(() => tokens.verifyAccessToken(forged))).toBe('TOKEN_INVALID');
  });

  it('when more tokens are verified than are remembered, then every one still verifies and an early one re-verifies', () => {
    const tokens = createTokenService(auth);
    const issued = Array.from({ length: 5200 }, (_, i) => tokens.signAccessToken({ id: ACCOUNT, role: i % 2 ? 'customer' : 'manager' }));
    for (const { token, jti } of issued) expect(tokens.verifyAccessToken(token).jti).toBe(jti);
    expect(tokens.verifyAccessToken(issued[0]!.token).jti).toBe(issued[0]!.jti);
  });
});
