// The response checker every integration test runs through must itself catch what it is for:
// an undocumented status, a body off its documented schema, a 404 where a 405 is due.
import Joi from 'joi';
import { buildOpenApiDocument } from '../../src/routes/openapi';
import type { RouteDefinition } from '../../src/routes/route-table';
import { ResponseContract, type ContractDocument } from '../support/response-contract';

const routes: RouteDefinition[] = [
  {
    method: 'get',
    path: '/widgets/:id',
    summary: 'One widget',
    tags: ['Widgets'],
    access: 'public',
    responses: { 200: { description: 'The widget', schema: Joi.object({ id: Joi.string().required(), size: Joi.number().integer().required() }) } },
    handler: () => undefined,
  },
];
const contract = new ResponseContract(buildOpenApiDocument(routes, { title: 't', version: '1', servers: [] }) as unknown as ContractDocument);
const json = 'application/json; charset=utf-8';
const error = () => JSON.stringify({ success: false, message: 'm', code: 'NOT_FOUND', timestamp: '2026-01-01T00:00:00.000Z', path: '/x', requestId: 'r' });

describe('ResponseContract', () => {
  it('when the body matches the documented schema, then there is no violation', () => {
    expect(contract.check('GET', '/api/v1/widgets/1', 200, json, JSON.stringify({ success: true, data: { id: '1', size: 2 } }))).toEqual([]);
  });

  it('when a required field is missing or mistyped, then the response is reported', () => {
    expect(contract.check('GET', '/api/v1/widgets/1', 200, json, JSON.stringify({ success: true, data: { id: '1', size: 'big' } }))[0]).toMatch(/size/);
    expect(contract.check('GET', '/api/v1/widgets/1', 200, json, JSON.stringify({ success: true, data: { id: '1' } }))[0]).toMatch(/size/);
  });

  it('when the status is not documented, then the response is reported', () => {
    expect(contract.check('GET', '/api/v1/widgets/1', 409, json, error())[0]).toMatch(/409 is not documented/);
  });

  it('when an undeclared method on a known path is not answered 405, then the response is reported', () => {
    expect(contract.check('DELETE', '/api/v1/widgets/1', 404, json, error())[0]).toMatch(/expected 405/);
    expect(contract.check('DELETE', '/api/v1/widgets/1', 405, json, error())).toEqual([]);
  });

  it('when an error body leaves the error contract, then the response is reported', () => {
    expect(contract.check('GET', '/api/v1/widgets/1', 404, json, JSON.stringify({ error: 'nope' }))[0]).toMatch(/documented schema/);
  });
});
