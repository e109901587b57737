import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { loadConfig } from '../../src/config';
import { ConfigError, DEVELOPMENT_AUTH_RATE_LIMIT_MAX, PRODUCTION_AUTH_RATE_LIMIT_MAX, envSchema, parseConfig } from '../../src/config/schema';

const root = path.join(__dirname, '..', '..');
const envFile = (name: string) => dotenv.parse(fs.readFileSync(path.join(root, name)));

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

describe('empty values', () => {
  it('when a variable is set to an empty string, then it counts as unset and its default applies', () => {
    const config = parseConfig({ MONGODB_DB_NAME: '', COOKIE_SECURE: '', QUEUE_DASHBOARD_ENABLED: ' ', LOG_PRETTY: '', PORT: '', CORS_ORIGINS: '' });
    expect(config.mongo.dbName).toBeUndefined();
    expect(config.http.port).toBe(3000);
    expect(config.auth.cookieSecure).toBe(false);
    expect(config.email.dashboardEnabled).toBe(true);
    expect(config.cors.origins).toEqual(['http://localhost:3000']);
  });

  it('when CORS_ORIGINS is none, then no origin is allowed', () => {
    expect(parseConfig({ CORS_ORIGINS: 'none' }).cors.origins).toEqual([]);
  });

  it('when an exported variable is empty, then the env file value is used, as if it were not exported', () => {
    const { config } = loadConfig({ NODE_ENV: 'test', REDIS_URL: '', JWT_SECRET: '' });
    expect(config.redis.url).toBe(envFile('.env.test').REDIS_URL);
  });

  it('when ENV_FILE is none, then no env file is read, whatever the profile', () => {
    const { config, envFile: source } = loadConfig({ NODE_ENV: 'test', ENV_FILE: 'none' });
    expect(source).toBeNull();
    expect(config.redis.url).toBeUndefined();
  });
});

describe('auth rate limit defaults', () => {
  it('when unset, then production is strict and every other profile lets a developer work', () => {
    expect(parseConfig(productionEnv).rateLimit.authMax).toBe(PRODUCTION_AUTH_RATE_LIMIT_MAX);
    expect(parseConfig({ NODE_ENV: 'development' }).rateLimit.authMax).toBe(DEVELOPMENT_AUTH_RATE_LIMIT_MAX);
    expect(parseConfig({}).rateLimit.authMax).toBeGreaterThanOrEqual(100);
    expect(parseConfig({ ...productionEnv, AUTH_RATE_LIMIT_MAX: '50' }).rateLimit.authMax).toBe(50);
  });
});

describe('prod/.env.example', () => {
  const lines = fs.readFileSync(path.join(root, 'prod', '.env.example'), 'utf8').split('\n');

  it('when copied to .env.prod as it is, then start-up names exactly the six required values', () => {
    const names = problemsOf(envFile('prod/.env.example')).map((p) => p.split(':')[0]).sort();
    expect(names).toEqual(['JWT_SECRET', 'MONGODB_URI', 'PUBLIC_URL', 'REDIS_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']);
  });

  it('when the required values are filled in, then it is a valid production configuration', () => {
    const { NODE_ENV: _fromTheFile, ...required } = productionEnv;
    const config = parseConfig({ ...envFile('prod/.env.example'), ...required });
    expect(config.isProduction).toBe(true);
    expect(config.log).toMatchObject({ pretty: false, toFiles: false, toStdout: true });
    expect(config.rateLimit.authMax).toBe(PRODUCTION_AUTH_RATE_LIMIT_MAX);
  });

  it('when read, then it covers every schema variable and each one sits under a comment', () => {
    const variable = /^[A-Z][A-Z0-9_]*=/; // names may hold digits (S3_BUCKET)
    const keys = lines.filter((line) => variable.test(line)).map((line) => line.split('=')[0]);
    expect([...keys].sort()).toEqual(Object.keys(envSchema.describe().keys).sort());
    lines.forEach((line, i) => {
      if (!variable.test(line)) return;
      let above = i - 1;
      while (variable.test(lines[above])) above -= 1; // a group of related variables shares one comment
      expect({ line, above: lines[above] }).toEqual({ line, above: expect.stringMatching(/^#/) });
    });
  });
});

describe('.env.example', () => {
  it('when a variable is in the schema, then .env.example documents it (and nothing else)', () => {
    const documented = fs
      .readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line)) // names may hold digits (S3_BUCKET)
      .map((line) => line.split('=')[0]);
    const schemaKeys = Object.keys(envSchema.describe().keys);
    expect([...documented].sort()).toEqual([...schemaKeys].sort());
  });
});

describe('media config', () => {
  const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40) };

  it('when nothing is set, then images are stored on local disk and linked under PUBLIC_URL/media', () => {
    const { media } = parseConfig({ ...base, PUBLIC_URL: 'https://api.shop.example/' });
    expect(media).toMatchObject({ storage: 'local', localDir: 'media', publicBaseUrl: 'https://api.shop.example/media', maxImagesPerProduct: 12 });
  });

  it('when MEDIA_STORAGE=s3 lacks a bucket or a public base URL, then the config is refused naming them', () => {
    expect(() => parseConfig({ ...base, MEDIA_STORAGE: 's3' })).toThrow(/S3_BUCKET[\s\S]*MEDIA_PUBLIC_BASE_URL|MEDIA_PUBLIC_BASE_URL[\s\S]*S3_BUCKET/);
    const { media } = parseConfig({ ...base, MEDIA_STORAGE: 's3', S3_BUCKET: 'shop-media', MEDIA_PUBLIC_BASE_URL: 'https://cdn.shop.example', S3_FORCE_PATH_STYLE: 'true' });
    expect(media).toMatchObject({ storage: 's3', publicBaseUrl: 'https://cdn.shop.example', s3: { bucket: 'shop-media', forcePathStyle: true, region: 'us-east-1' } });
  });
});
