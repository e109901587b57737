// The JavaScript each generated Postman request runs: the test script (status, envelope or error
// contract, request id, captures into the environment) and the pre-request check that every
// variable the request uses is set (an empty id would silently hit another route: `GET /products/`).
import type { Operation } from '../../src/routes/openapi';

type Json = Record<string, unknown>;

/** Capture path prefix that reads a response header instead of the JSON body: `header:ETag`. */
const HEADER_CAPTURE = 'header:';
/** Capture path prefix that keeps only the last path segment of a URL in the body: `last-segment:data.url`. */
const LAST_SEGMENT_CAPTURE = 'last-segment:';

function bodyValue(path: string): string {
  return `body${path.split('.').map((key) => `[${JSON.stringify(key)}]`).join('')}`;
}

export function successStatus(op: Operation): number {
  const hinted = op['x-postman']?.expectStatus;
  if (hinted) return hinted;
  return Number(Object.keys(op.responses).find((s) => Number(s) < 400) ?? 200);
}

function successContent(op: Operation, status: number): { type: string; schema: Json } | undefined {
  const content = (op.responses[String(status)] as { content?: Record<string, { schema?: Json }> } | undefined)?.content;
  const [type, media] = Object.entries(content ?? {})[0] ?? [];
  return type ? { type, schema: media?.schema ?? {} } : undefined;
}

/** `:id` after `/products` → `productId`; after `/jobs` → `jobId`; any other name (`:productId`) is kept. */
export function variableFor(path: string, param: string): string {
  if (param !== 'id') return param;
  const segments = path.split('/').filter(Boolean);
  const index = segments.findIndex((s) => s === `{${param}}` || s === `:${param}`);
  const collection = index > 0 ? segments[index - 1]! : 'resource';
  const singular = collection.endsWith('ies') ? `${collection.slice(0, -3)}y` : collection.endsWith('s') ? collection.slice(0, -1) : collection;
  return `${singular.replace(/[^A-Za-z0-9]+([A-Za-z0-9])/g, (_m, c: string) => c.toUpperCase())}Id`;
}

/** Values to store after success: explicit hints, else tokens and the id of something just created. */
export function capturesFor(op: Operation, method: string, path: string): Record<string, string> {
  const explicit = op['x-postman']?.captures;
  if (explicit) return { ...explicit };
  const status = successStatus(op);
  const content = successContent(op, status);
  const data = ((content?.schema.properties as Json | undefined)?.data ?? {}) as Json;
  const fields = Object.keys((data.properties as Json | undefined) ?? {});
  const captures: Record<string, string> = {};
  for (const token of ['accessToken', 'refreshToken']) if (fields.includes(token)) captures[token] = `data.${token}`;
  if (method === 'post' && status === 201 && fields.includes('id')) captures[variableFor(`${path}/{id}`, 'id')] = 'data.id';
  return captures;
}

function captureLines(captures: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const [variable, source] of Object.entries(captures)) {
    let value: string;
    if (source.startsWith(HEADER_CAPTURE)) value = `pm.response.headers.get(${JSON.stringify(source.slice(HEADER_CAPTURE.length))})`;
    else if (source.startsWith(LAST_SEGMENT_CAPTURE)) value = `String(${bodyValue(source.slice(LAST_SEGMENT_CAPTURE.length))}).split('/').pop()`;
    else value = bodyValue(source);
    lines.push(`  pm.environment.set(${JSON.stringify(variable)}, String(${value}));`);
  }
  return lines;
}

/** A literal, or `{{variable}}` read from the run's variables (scripts get no `{{…}}` substitution). */
function expectedValue(value: string | number | boolean): string {
  const variable = typeof value === 'string' ? /^\{\{([A-Za-z0-9_]+)\}\}$/.exec(value)?.[1] : undefined;
  return variable ? `pm.variables.get(${JSON.stringify(variable)})` : JSON.stringify(value);
}

function bodyAssertions(op: Operation, status: number): string[] {
  if (status >= 400) {
    const code = op['x-postman']?.expectCode;
    return [
      `pm.test('error contract${code ? ` with code ${code}` : ''}', function () {`,
      '  const body = pm.response.json();',
      '  pm.expect(body.success).to.eql(false);',
      code ? `  pm.expect(body.code).to.eql(${JSON.stringify(code)});` : "  pm.expect(body.code).to.match(/^[A-Z][A-Z0-9_]+$/);",
      "  pm.expect(body).to.have.property('requestId');",
      '});',
    ];
  }
  const content = successContent(op, status);
  const enveloped = content?.type === 'application/json' && (content.schema.properties as Json | undefined)?.success !== undefined;
  if (enveloped) {
    return [
      "pm.test('success envelope { success: true, data }', function () {",
      '  const body = pm.response.json();',
      '  pm.expect(body.success).to.eql(true);',
      "  pm.expect(body).to.have.property('data');",
      '});',
      ...Object.entries(op['x-postman']?.expectBody ?? {}).flatMap(([path, value]) => [
        `pm.test(${JSON.stringify(`${path} is ${JSON.stringify(value)}`)}, function () {`,
        '  const body = pm.response.json();',
        `  pm.expect(${bodyValue(path)}).to.eql(${expectedValue(value)});`,
        '});',
      ]),
    ];
  }
  if (content?.type === 'application/json') return ["pm.test('JSON body', function () { pm.expect(pm.response.json()).to.be.an('object'); });"];
  if (content) return [`pm.test('${content.type.split(';')[0]} body', function () { pm.expect(pm.response.text()).to.not.be.empty; });`];
  return [];
}

export function testScript(op: Operation, method: string, path: string): string[] {
  const status = successStatus(op);
  const alternative = op['x-postman']?.orError;
  const expected = [`pm.test('status is ${status}', function () { pm.response.to.have.status(${status}); });`, ...bodyAssertions(op, status)];
  const lines = alternative
    ? [
        `// Also documented: ${alternative.status} ${alternative.code} when ${alternative.when}.`,
        `if (pm.response.code === ${alternative.status}) {`,
        ...[`pm.test('status is ${alternative.status} (${alternative.code})', function () { pm.response.to.have.status(${alternative.status}); });`, ...bodyAssertions({ ...op, 'x-postman': { expectCode: alternative.code } }, alternative.status)].map((line) => `  ${line}`),
        '} else {',
        ...expected.map((line) => `  ${line}`),
        '}',
      ]
    : expected;
  lines.push("pm.test('X-Request-ID is echoed', function () { pm.response.to.have.header('X-Request-ID'); });");
  const captures = capturesFor(op, method, path);
  if (Object.keys(captures).length && status < 400) {
    lines.push(`if (pm.response.code === ${status}) {`, '  const body = pm.response.json();', ...captureLines(captures), '}');
  }
  return lines;
}

/**
 * Runs before the request (after the folder's defaults): a request whose `{{variable}}` is empty or
 * unset fails with a named assertion and is not sent, instead of reaching a different URL or body.
 * A request marked skipUnlessSet is skipped, with a note, until a person sets its variable.
 */
export function preRequestScript(op: Operation): Json[] {
  const optional = op['x-postman']?.skipUnlessSet;
  const exec = [
    // URL, headers and body only: an empty bearer token is the auth layer's to report (401), and
    // /metrics from loopback needs none.
    "const text = JSON.stringify([pm.request.url.toString(), pm.request.headers.toJSON(), pm.request.body ? pm.request.body.toString() : '']);",
    'const used = text.match(/\\{\\{[A-Za-z0-9_]+\\}\\}/g) || [];',
    "const missing = used.map(function (ref) { return ref.slice(2, -2); }).filter(function (name, i, all) { const value = pm.variables.get(name); return all.indexOf(name) === i && (value === undefined || value === null || String(value) === ''); });",
  ];
  if (optional) {
    exec.push(
      `if (missing.indexOf(${JSON.stringify(optional.variable)}) !== -1) {`,
      `  console.log(${JSON.stringify(`Skipped: set the ${optional.variable} variable to send this request — ${optional.why.replace(/\s+/g, ' ')}`)});`,
      '  pm.execution.skipRequest();',
      '} else if (missing.length) {',
    );
  } else {
    exec.push('if (missing.length) {');
  }
  exec.push(
    "  pm.test('variables this request uses are set: ' + missing.join(', '), function () {",
    "    throw new Error('empty: ' + missing.join(', ') + ' (run the request that captures them first, or set them in the environment)');",
    '  });',
    '  pm.execution.skipRequest();',
    '}',
  );
  return [{ listen: 'prerequest', script: { type: 'text/javascript', exec } }];
}
