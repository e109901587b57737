// Issue 14 items 13–14: a known path with an undeclared method is a 405 with Allow (from the route
// table), and a list parameter's error names the offending value.
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';

useTestDatabase();

describe('undeclared methods and list errors', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('when PUT /api/v1/products/:id is sent, then 405 METHOD_NOT_ALLOWED lists the declared methods in Allow', async () => {
    const res = await request(ctx.app).put('/api/v1/products/0123456789abcdef01234567').send({});
    expectErrorContract(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('DELETE, GET, HEAD, PATCH');
  });

  it('when TRACE /docs/openapi.json is sent, then 405 in the error contract, not the Swagger UI page', async () => {
    const res = await request(ctx.app).trace('/docs/openapi.json');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('when an unknown path is asked, then it stays 404 ROUTE_NOT_FOUND', async () => {
    expectErrorContract(await request(ctx.app).delete('/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
  });

  it('when fields=name,deletedAt is sent, then the error names deletedAt, not its position', async () => {
    const res = await request(ctx.app).get('/api/v1/products?fields=name,deletedAt');
    expectErrorContract(res, 400, 'VALIDATION_FAILED');
    expect(res.body.details[0].message).toMatch(/"deletedAt" is not allowed/);
    expect(res.body.details[0].message).not.toMatch(/\[1\]/);
  });
});
