// Checks every response an in-process app sends against the GENERATED OpenAPI document (the same
// document /docs/openapi.json serves, built from the route table) with ajv — not against the joi
// schemas it was generated from, so a converter bug or an undocumented status shows up here.
// createTestContext() wraps its app with `checkResponses`; tests/support/contract-setup.ts fails
// the running test when a response broke the document.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

type Json = Record<string, unknown>;
export interface ContractDocument {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json> };
}

interface PathMatcher {
  readonly template: string;
  readonly regex: RegExp;
  readonly params: number;
}

const DEFS_ID = 'https://commerce-api.test/components';

/** `#/components/schemas/X` → an absolute ref into the registered components schema. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', `${DEFS_ID}#/$defs/`) : rebase(value);
  }
  return out;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export class ResponseContract {
  private readonly ajv: Ajv2020;
  private readonly matchers: PathMatcher[];
  private readonly validators = new Map<string, ValidateFunction | null>();

  constructor(private readonly document: ContractDocument) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    this.ajv.addFormat('date-time', { type: 'string', validate: (s: string) => ISO_DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)) });
    this.ajv.addFormat('uri', { type: 'string', validate: (s: string) => URL.canParse(s) });
    this.ajv.addFormat('email', { type: 'string', validate: (s: string) => /^[^@\s]+@[^@\s]+$/.test(s) });
    this.ajv.addSchema({ $id: DEFS_ID, $defs: rebase(document.components.schemas) as Json });
    this.matchers = Object.keys(document.paths)
      .map((template) => ({
        template,
        regex: new RegExp(`^${template.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`)).replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // A literal segment wins over a parameter (`/products/facets` before `/products/{id}`), as in the router.
      .sort((a, b) => a.params - b.params);
  }

  /** The documented path template for a concrete path, if any. */
  template(path: string): string | undefined {
    return this.matchers.find((m) => m.regex.test(path))?.template;
  }

  /** Problems with one response; empty when the document allows it. */
  check(method: string, path: string, status: number, contentType: string | undefined, body: string): string[] {
    const verb = method.toLowerCase();
    if (verb === 'options') return []; // CORS preflight and Express's automatic OPTIONS, not API operations
    const template = this.template(path);
    const isJson = /application\/json/.test(contentType ?? '');
    const parsed = isJson && body ? (JSON.parse(body) as unknown) : undefined;
    const operation = template ? this.document.paths[template]?.[verb === 'head' ? 'get' : verb] : undefined;
    if (!operation) {
      // Not an operation: only the contract's 404/405 (or non-API assets such as Swagger UI) may answer.
      if (!template && !isJson) return [];
      if (template && status !== 405) return [`${method} ${path}: ${status} for a method the document does not declare (expected 405)`];
      if (status >= 400 && isJson) return this.validate('ErrorResponse', { $ref: `${DEFS_ID}#/$defs/ErrorResponse` }, parsed, `${method} ${path} ${status}`);
      return [];
    }
    const responses = operation.responses as Record<string, Json>;
    let response = responses[String(status)] ?? responses.default;
    if (!response) return [`${method} ${template}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    if (typeof response.$ref === 'string') response = this.document.components.responses[response.$ref.split('/').pop()!]!;
    const content = response.content as Record<string, { schema?: Json }> | undefined;
    if (verb === 'head' || status === 204 || status === 304) return [];
    if (!content) return body ? [`${method} ${template} ${status}: a body was sent where the document declares none`] : [];
    const declaredTypes = Object.keys(content);
    const mediaType = declaredTypes.find((type) => mediaTypeMatches(type, contentType ?? ''));
    if (!mediaType) return [`${method} ${template} ${status}: content-type ${contentType} is not one of ${declaredTypes.join(', ')}`];
    if (!/json/.test(mediaType) || !content[mediaType]!.schema) return [];
    return this.validate(`${verb} ${template} ${status}`, content[mediaType]!.schema!, parsed, `${method} ${path} ${status}`);
  }

  private validate(key: string, schema: Json, value: unknown, label: string): string[] {
    let validator = this.validators.get(key);
    if (validator === undefined) {
      validator = this.ajv.compile(rebase(schema) as Json);
      this.validators.set(key, validator);
    }
    if (!validator || validator(value)) return [];
    const errors = (validator.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    return [`${label}: body does not match the documented schema: ${errors.join('; ')}`];
  }
}

/** Does a declared media type, or range (`image/*`, `*\/*`: OpenAPI allows ranges as content keys), cover the sent one? */
function mediaTypeMatches(declared: string, sent: string): boolean {
  const [type, subtype] = declared.split(';')[0]!.trim().toLowerCase().split('/');
  const [sentType, sentSubtype] = sent.split(';')[0]!.trim().toLowerCase().split('/');
  if (type === '*') return true;
  return type === sentType && (subtype === '*' || subtype === sentSubtype);
}

/** Violations recorded since the last drain (the jest setup file drains them after each test). */
const violations: string[] = [];

export function drainContractViolations(): string[] {
  return violations.splice(0, violations.length);
}

const contracts = new Map<string, ResponseContract>();

/** One compiled checker per distinct document (contexts with the same config share it). */
export function contractFor(document: ContractDocument): ResponseContract {
  const key = JSON.stringify(document);
  let contract = contracts.get(key);
  if (!contract) {
    contract = new ResponseContract(document);
    contracts.set(key, contract);
  }
  return contract;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps an Express app so each response it finishes is checked against the document. The wrapper
 * is the app itself for every other use (a Proxy forwards properties; only calls are observed).
 */
export function checkResponses<T extends Handler>(app: T, document: ContractDocument): T {
  const contract = contractFor(document);
  return new Proxy(app, {
    apply(target, thisArg, [req, res]: [IncomingMessage, ServerResponse]) {
      const chunks: Buffer[] = [];
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      const keep = (chunk: unknown, encoding?: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      };
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        keep(chunk, rest[0]);
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof res.write;
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        keep(chunk, rest[0]);
        return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
      }) as typeof res.end;
      res.on('finish', () => {
        // Express rewrites req.url to the mounted remainder (`/products/1` under `/api/v1`) by the time
        // a response finishes; originalUrl is the path the document describes.
        const path = ((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/').split('?')[0]!;
        try {
          const type = res.getHeader('content-type');
          violations.push(...contract.check(req.method ?? 'GET', path, res.statusCode, type === undefined ? undefined : String(type), Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          violations.push(`${req.method} ${path} ${res.statusCode}: could not check the response: ${(err as Error).message}`);
        }
      });
      return Reflect.apply(target, thisArg, [req, res]);
    },
  });
}
