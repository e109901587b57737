// Property-based contract suite: for every operation in the GENERATED OpenAPI document, fast-check
// builds requests from the operation's own schemas — valid ones and broken ones — and sends them as
// an anonymous caller, a customer and an admin. Every response must be in the document (the app is
// wrapped by tests/support/response-contract.ts: documented status, documented body, the error
// contract), nothing may answer 5xx, and a request the document calls valid must not be refused
// as invalid (400). Reproduce a failure with the printed seed: FUZZ_SEED=<seed> npx jest tests/contract
// (FUZZ_RUNS sets the runs per operation and kind; the default keeps the suite near a minute).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type Redis from 'ioredis';
import request from 'supertest';
import { buildOpenApiDocument } from '../../src/routes/openapi';
import { createBullEmailQueue, producerConnection, type BullEmailQueue } from '../../src/jobs/email/email.queue';
import { createRedisClient } from '../../src/loaders/redis';
import { openApiOptions } from '../../src/routes/ops.routes';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, testConfig, type TestContext } from '../support/app';
import { useTestDatabase } from '../support/db';
import { drainContractViolations, type ContractDocument } from '../support/response-contract';
import { invalid, valid, type Components, type Schema } from './arbitraries';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
  'x-opaque'?: boolean;
  'x-minimum-parameter'?: string;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  'x-exclusive-parameters'?: string[][];
}

interface FuzzRequest {
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: unknown;
  caller: 'anonymous' | 'customer' | 'admin';
}

useTestDatabase();

let ctx: TestContext;
let shared: Redis;
let queue: BullEmailQueue;
let document: ContractDocument;
let callers: Record<'customer' | 'admin', TestCaller>;
/** Real ids, so some generated requests reach existing resources instead of only 404s. */
const knownIds: string[] = [];

beforeAll(async () => {
  console.log(`contract fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
  // Limits high enough that the run exercises the operations rather than the rate limiter; the real
  // Redis and BullMQ queue, so the job-admin operations have their dependency (no worker: jobs wait).
  const env = { REDIS_KEY_PREFIX: `test:${randomBytes(5).toString('hex')}:`, RATE_LIMIT_MAX: '1000000', AUTH_RATE_LIMIT_MAX: '1000000' };
  const config = testConfig(env);
  shared = createRedisClient(config.redis.url!, config.redis);
  await shared.connect();
  queue = createBullEmailQueue(config, producerConnection(shared));
  ctx = await createTestContext({ redis: true, emailQueue: queue, env });
  document = buildOpenApiDocument(ctx.routes, openApiOptions(ctx.config)) as unknown as ContractDocument;
  callers = { customer: await callerWithRole(ctx, 'customer'), admin: await callerWithRole(ctx, 'admin') };
  const product = await request(ctx.app)
    .post('/api/v1/products')
    .set(callers.admin.headers)
    .send({ name: 'Fuzz Lamp', sku: 'FUZZ-LAMP-1', price: 10, category: 'lighting', stock: 1000 });
  knownIds.push(product.body.data.id, product.body.data.slug, callers.customer.accountId, callers.admin.accountId);
  drainContractViolations();
});

afterAll(async () => {
  await ctx.close();
  await queue.queue.obliterate({ force: true });
  await queue.close();
  await shared.quit();
});

function serialize(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(serialize);
  if (value !== null && typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}

/** Header values must be sendable: visible ASCII, no surrounding blanks (HTTP trims them anyway). */
const sendableHeader = (value: string) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value);

function requestArbitrary(template: string, operation: Operation, kind: 'valid' | 'invalid'): fc.Arbitrary<FuzzRequest> {
  const components = document.components.schemas as Components;
  const parameters = (operation.parameters ?? []).filter((p) => !(kind === 'valid' && p['x-opaque']));
  const exclusive = operation['x-exclusive-parameters'] ?? [];
  const parameterValues = fc.record(
    Object.fromEntries(
      parameters.map((p) => {
        let arbitrary = valid(p.schema, components);
        const fitting = knownIds.filter((id) => fits(p.schema, id));
        if (p.in === 'path' && fitting.length) arbitrary = fc.oneof(arbitrary, fc.constantFrom(...fitting));
        if (p.in === 'header') arbitrary = arbitrary.filter((v) => sendableHeader(String(v)));
        return [p.name, arbitrary];
      }),
    ),
    { requiredKeys: parameters.filter((p) => p.required || p.in === 'path').map((p) => p.name) },
  )
    .filter((values) => exclusive.every((group) => group.filter((name) => name in values).length <= 1))
    // `x-minimum-parameter`: the upper bound of a range is not below its lower bound.
    .filter((values) => parameters.every((p) => !p['x-minimum-parameter'] || !(p.name in values) || !(p['x-minimum-parameter'] in values) || values[p.name]! > values[p['x-minimum-parameter']]!));
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const body: fc.Arbitrary<unknown> = bodySchema ? (kind === 'valid' ? valid(bodySchema, components) : fc.oneof(valid(bodySchema, components), invalid(bodySchema, components))) : fc.constant(undefined);
  // An invalid request breaks one thing: a parameter's value, an unknown parameter, or the body.
  const breakage = kind === 'valid' ? fc.constant(null) : fc.oneof(
    fc.constant({ unknownQuery: true }),
    ...(parameters.length ? [fc.constantFrom(...parameters).chain((p) => invalid(p.schema, components).map((bad) => ({ parameter: p, bad })))] : []),
  );
  return fc.record({ values: parameterValues, body, breakage, caller: fc.constantFrom('anonymous' as const, 'customer' as const, 'admin' as const) }).map(({ values, body: payload, breakage: broken, caller }) => {
    const all: Record<string, unknown> = { ...values };
    if (broken && 'parameter' in broken) all[broken.parameter.name] = broken.bad;
    const path = template.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(serialize(all[name])[0] ?? 'x'));
    const query: [string, string][] = [];
    const headers: Record<string, string> = {};
    for (const p of parameters) {
      if (!(p.name in all)) continue;
      if (p.in === 'query') for (const v of serialize(all[p.name])) query.push([p.name, v]);
      if (p.in === 'header' && sendableHeader(serialize(all[p.name])[0] ?? '')) headers[p.name] = serialize(all[p.name])[0]!;
    }
    if (broken && 'unknownQuery' in broken) query.push(['__unknown__', '1']);
    return { path, query, headers, body: payload, caller };
  });
}

async function send(method: string, req: FuzzRequest) {
  const url = req.path + (req.query.length ? `?${new URLSearchParams(req.query).toString()}` : '');
  let call = request(ctx.app)[method as (typeof METHODS)[number]](url).set(req.headers);
  if (req.caller !== 'anonymous') call = call.set(callers[req.caller].headers);
  // Sent as JSON text, so a generated scalar or array body arrives as such.
  if (req.body !== undefined) call = call.set('Content-Type', 'application/json').send(JSON.stringify(req.body));
  return call;
}

/** Does a schema accept this string (the few shapes path parameters use)? */
function fits(schema: Schema, value: string): boolean {
  const options = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (options) return options.some((option) => fits(option, value));
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return false;
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
  return !(typeof schema.maxLength === 'number' && value.length > schema.maxLength);
}

/**
 * A request the document calls valid was refused by validation: 400 with a detail from a schema
 * rule (joi's `string.*`, `number.*`, … or our `list.*`). A 400 about the data (a product that does
 * not exist, a reset token that is not ours) is an outcome, and the status check covers it.
 */
function refusedAsInvalid(status: number, body: { code?: string; details?: { type?: string }[] } | undefined): boolean {
  if (status !== 400 || body?.code !== 'VALIDATION_FAILED') return false;
  const schemaRule = /^(any|string|number|date|object|array|boolean|alternatives|list)\./;
  return !body?.details || body.details.some((detail) => schemaRule.test(detail.type ?? ''));
}

function operations(): [string, string, Operation][] {
  const list: [string, string, Operation][] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of METHODS) if (item[method]) list.push([method, template, item[method] as unknown as Operation]);
  }
  return list;
}

describe('contract fuzz: every operation in the generated OpenAPI document', () => {
  it('when valid and invalid requests are generated from the document, then every answer is documented, none is 5xx, and valid ones are never refused as invalid', async () => {
    const findings: string[] = [];
    for (const [index, [method, template, operation]] of operations().entries()) {
      for (const kind of ['valid', 'invalid'] as const) {
        if (process.env.FUZZ_PROGRESS) console.log(`${kind} ${method.toUpperCase()} ${template}`);
        const result = await fc.check(
          fc.asyncProperty(requestArbitrary(template, operation, kind), async (req) => {
            const res = await send(method, req);
            const problems = drainContractViolations();
            if (res.status >= 500) problems.push(`answered ${res.status} ${res.body?.code ?? ''}`);
            if (kind === 'valid' && refusedAsInvalid(res.status, res.body)) problems.push(`a documented-valid request was refused: ${JSON.stringify(res.body?.details ?? res.body?.message)}`);
            if (problems.length) throw new Error(problems.join('; '));
          }),
          // One seed per operation and kind, derived from the run's seed: any one reruns alone.
          { seed: SEED + index * 2 + (kind === 'valid' ? 0 : 1), numRuns: RUNS, endOnFailure: true },
        );
        if (result.failed) {
          findings.push(`${method.toUpperCase()} ${template} (${kind}): ${String(result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance)}\n    counterexample: ${JSON.stringify(result.counterexample)}`);
        }
      }
    }
    expect(findings).toEqual([]);
  }, 600_000);
});
