// Attack suite, part 4: CORS, security headers, and what errors reveal under a production config.
import request from 'supertest';
import { logger } from '../../src/utils/logger';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole } from '../support/auth';
import { expectErrorContract } from '../support/contract';
import { testMongoUri, useTestDatabase } from '../support/db';
import { ensureCategories } from '../support/categories';
import { attack } from './harness';
import { MemoryTransport } from '../support/log-capture';

const SHOP = 'https://shop.example.test';
const EVIL = 'https://evil.example.test';
const LEAKY_FAILURE = 'connect ECONNREFUSED mongodb://admin:s3cret@10.0.0.5:27017 at Pool.connect (/srv/app/node_modules/mongodb/lib/pool.js:42:7)';

describe('attack suite: transport, headers and errors', () => {
  useTestDatabase();
  let ctx: TestContext;
  let prod: TestContext;
  const routes = () => ctx.routes;

  beforeAll(async () => {
    ctx = await createTestContext({ env: { CORS_ORIGINS: SHOP } });
    await ensureCategories('phones');
    // A production profile (real secrets required, internals hidden) whose readiness probe hits a
    // bug that throws an error full of internals, so the 500 path is exercised for real.
    prod = await createTestContext({
      env: {
        NODE_ENV: 'production',
        MONGODB_URI: testMongoUri(),
        REDIS_URL: 'redis://127.0.0.1:6379',
        JWT_SECRET: 'production-like-secret-for-the-attack-suite-0123456789',
        PUBLIC_URL: 'https://api.example.test',
        PAYMENT_PROVIDER: 'stripe',
        STRIPE_SECRET_KEY: 'sk_test_attackSuite0123',
        STRIPE_WEBHOOK_SECRET: 'whsec_attack_suite_secret_0123',
        CORS_ORIGINS: SHOP,
      },
      isDraining: () => {
        throw new Error(LEAKY_FAILURE);
      },
    });
  });
  afterAll(async () => Promise.all([ctx.close(), prod.close()]));

  describe('CORS', () => {
    attack(
      { id: 'CORS-01', vector: 'Cross-origin read from a disallowed origin', route: 'GET /health', payload: `Origin: ${EVIL}`, expected: 'no Access-Control-Allow-* headers (the browser blocks the read)' },
      routes,
      async (see) => {
        const res = see(await request(ctx.app).get('/health').set('Origin', EVIL));
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      },
    );

    attack(
      { id: 'CORS-02', vector: 'Credentialed preflight from a disallowed origin', route: 'POST /api/v1/auth/login', payload: `OPTIONS with Origin: ${EVIL}, Access-Control-Request-Method: POST`, expected: 'no Access-Control-Allow-* headers' },
      routes,
      async (see) => {
        const res = see(await request(ctx.app).options('/api/v1/auth/login').set('Origin', EVIL).set('Access-Control-Request-Method', 'POST'));
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
        expect(res.headers['access-control-allow-methods']).toBeUndefined();
      },
    );

    attack(
      { id: 'CORS-03', vector: 'Preflight from a listed origin (control)', route: 'POST /api/v1/auth/login', payload: `OPTIONS with Origin: ${SHOP}`, expected: '204 echoing that origin, with credentials' },
      routes,
      async (see) => {
        const res = see(await request(ctx.app).options('/api/v1/auth/login').set('Origin', SHOP).set('Access-Control-Request-Method', 'POST'));
        expect(res.status).toBe(204);
        expect(res.headers['access-control-allow-origin']).toBe(SHOP);
        expect(res.headers['access-control-allow-credentials']).toBe('true');
        expect(res.headers.vary).toMatch(/Origin/);
      },
    );
  });

  describe('security headers', () => {
    attack(
      { id: 'HDR-01', vector: 'Missing security headers', route: 'GET /health', payload: 'GET /health', expected: "CSP (default-src 'self', frame-ancestors 'none'), X-Frame-Options DENY, nosniff, Referrer-Policy no-referrer, no X-Powered-By" },
      routes,
      async (see) => {
        const res = see(await request(ctx.app).get('/health'));
        expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
        expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
        expect(res.headers['content-security-policy']).not.toMatch(/script-src[^;]*'unsafe-inline'/);
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-powered-by']).toBeUndefined();
        // HSTS only where TLS is guaranteed (production, behind the TLS proxy).
        expect(res.headers['strict-transport-security']).toBeUndefined();
      },
    );

    attack(
      { id: 'HDR-02', vector: 'HTTPS downgrade in production', route: 'GET /health', payload: 'GET /health (production config)', expected: 'Strict-Transport-Security max-age=31536000; includeSubDomains; CSP upgrade-insecure-requests' },
      () => prod.routes,
      async (see) => {
        const res = see(await request(prod.app).get('/health'));
        expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
        expect(res.headers['content-security-policy']).toMatch(/upgrade-insecure-requests/);
      },
    );
  });

  describe('errors reveal nothing', () => {
    attack(
      {
        id: 'ERR-01',
        vector: 'Stack trace in a production 500',
        route: 'GET /ready',
        payload: 'GET /ready while a dependency throws an error holding a connection string and stack (production config)',
        expected: '500 INTERNAL_ERROR with a generic message; no stack, path, host or credential. The error log keeps the failure and its stack, with the connection string\'s password masked',
      },
      () => prod.routes,
      async (see) => {
        const capture = new MemoryTransport();
        logger.add(capture);
        try {
          const res = see(await request(prod.app).get('/ready'));
          expectErrorContract(res, 500, 'INTERNAL_ERROR');
          expect(res.body.message).toBe('An unexpected error occurred');
          expect(res.text).not.toMatch(/ECONNREFUSED|s3cret|10\.0\.0\.5|node_modules|stack|\.js:\d+/);
          await new Promise((resolve) => setImmediate(resolve));
          const lines = capture.lines();
          const logged = lines.find((line) => line.includes(res.body.requestId));
          expect(logged).toContain('ECONNREFUSED mongodb://***@10.0.0.5:27017');
          expect(logged).toMatch(/"stack":/);
          expect(lines.join('\n')).not.toContain('s3cret');
        } finally {
          logger.remove(capture);
        }
      },
    );

    attack(
      { id: 'ERR-02', vector: 'Database internals in a duplicate-key error', route: 'POST /api/v1/products', payload: 'the same product sku twice (as manager)', expected: '409 DUPLICATE_KEY naming the field only; no E11000, index or collection' },
      routes,
      async (see) => {
        const manager = await callerWithRole(ctx, 'manager');
        const product = { name: 'Twin', sku: 'TWIN-1', price: 1, category: 'phones' };
        expect((await request(ctx.app).post('/api/v1/products').set(manager.headers).send(product)).status).toBe(201);
        const res = see(await request(ctx.app).post('/api/v1/products').set(manager.headers).send(product));
        expectErrorContract(res, 409, 'DUPLICATE_KEY');
        expect(res.text).not.toMatch(/E11000|index|collection|dup key/i);
      },
    );

    attack(
      { id: 'ERR-03', vector: 'Internals in a validation error', route: 'POST /api/v1/auth/login', payload: '{"email":"not-an-email","password":""} (production config)', expected: '400 VALIDATION_FAILED naming fields only; no schema source or stack' },
      () => prod.routes,
      async (see) => {
        const res = see(await request(prod.app).post('/api/v1/auth/login').send({ email: 'not-an-email', password: '' }));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'password']);
        expect(res.text).not.toMatch(/joi|node_modules|\.ts:\d+/i);
      },
    );
  });
});
