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
