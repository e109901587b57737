import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, envSchema, parseConfig } from '../../src/config/schema';

const strongSecret = 'x'.repeat(16) + 'a-real-production-secret-value';
const productionEnv = {
  NODE_ENV: 'production',
  MONGODB_URI: 'mongodb://db.internal:27017/commerce?replicaSet=rs0',
  REDIS_URL: 'redis://cache.internal:6379',
  JWT_SECRET: strongSecret,
  PUBLIC_URL: 'https://api.example.com',
  PAYMENT_PROVIDER: 'stripe',
  STRIPE_SECRET_KEY: 'sk_live_configTestKey0123',
  STRIPE_WEBHOOK_SECRET: 'whsec_config_test_secret_0123',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected parseConfig to fail');
}

describe('parseConfig', () => {
  it('when nothing is set, then the local profile runs with development fallbacks', () => {
    const config = parseConfig({});
    expect(config.env).toBe('local');
    expect(config.http.port).toBe(3000);
    expect(config.mongo.uri).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.log.pretty).toBe(true);
  });

  it('when values are strings from the environment, then they are coerced to typed values', () => {
    const config = parseConfig({ PORT: '8080', LOG_TO_FILES: 'false', CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(config.http.port).toBe(8080);
    expect(config.log.toFiles).toBe(false);
    expect(config.cors.origins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('when several variables are invalid, then one error names every one of them', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', MONGODB_URI: 'http://not-mongo', RATE_LIMIT_MAX: '-1' });
    const names = problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'LOG_LEVEL', 'MONGODB_URI', 'RATE_LIMIT_MAX']));
  });

  it('when production lacks its infrastructure and secrets, then each missing variable is listed', () => {
    const names = problemsOf({ NODE_ENV: 'production' }).map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['MONGODB_URI', 'REDIS_URL', 'JWT_SECRET', 'PUBLIC_URL']));
  });

  it('when production would use the simulated payment provider, then it refuses to start', () => {
    const { PAYMENT_PROVIDER: _omitted, ...withoutProvider } = productionEnv;
    expect(problemsOf(withoutProvider).join('\n')).toMatch(/PAYMENT_PROVIDER.*stripe/);
    expect(problemsOf({ ...productionEnv, PAYMENT_PROVIDER: 'simulated' }).join('\n')).toMatch(/PAYMENT_PROVIDER.*stripe/);
  });

  it('when the Stripe provider is chosen without its keys, then both are named; blank optional payment variables count as unset', () => {
    const names = problemsOf({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: '' }).map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']));
    expect(parseConfig({ STRIPE_API_PORT: '', SIMULATED_PAYMENT_WEBHOOK_URL: '' }).payments).toMatchObject({ provider: 'simulated', stripe: {} });
  });

  it('when production is given a known default secret, then it refuses to start', () => {
    const problems = problemsOf({ ...productionEnv, JWT_SECRET: 'dev-only-insecure-jwt-secret-change-me-0123456789' });
    expect(problems.join('\n')).toMatch(/JWT_SECRET.*weak/);
  });

  it('when production is fully configured, then HSTS-relevant flags and secure cookies are on', () => {
    const config = parseConfig(productionEnv);
    expect(config.isProduction).toBe(true);
    expect(config.auth.cookieSecure).toBe(true);
    expect(config.log.pretty).toBe(false);
  });

  it('when both log sinks are switched off, then it refuses to start, since the records would go nowhere', () => {
    expect(problemsOf({ LOG_TO_STDOUT: 'false', LOG_TO_FILES: 'false' }).join('\n')).toMatch(/LOG_TO_FILES.*must be true when LOG_TO_STDOUT is false/);
    expect(parseConfig({ LOG_TO_STDOUT: 'false' }).log).toMatchObject({ toStdout: false, toFiles: true });
    expect(parseConfig({ LOG_TO_FILES: 'false' }).log).toMatchObject({ toStdout: true, toFiles: false });
  });

  it('when the config is built, then it cannot be modified at run time', () => {
    const config = parseConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('.env.example', () => {
  it('when a variable is in the schema, then .env.example documents it (and nothing else)', () => {
    const documented = fs
      .readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=')[0]);
    const schemaKeys = Object.keys(envSchema.describe().keys);
    expect([...documented].sort()).toEqual([...schemaKeys].sort());
  });
});
