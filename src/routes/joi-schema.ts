// joi → JSON Schema (OpenAPI 3.1 dialect) with joi-to-json, the maintained converter that reads
// joi's own describe() output. Its string support misses length/hex/alphanum, which our ids use
// (`Joi.string().hex().length(24)`), and maps keyed by a schema (`Joi.object().pattern(Joi.string(), …)`)
// come out as "no properties allowed"; a small subclass fills those in.
import type Joi from 'joi';

export type JsonSchema = Record<string, unknown>;

interface JoiRule {
  readonly name: string;
  readonly args?: { limit?: number };
}

interface JoiPattern {
  readonly schema?: unknown;
  readonly regex?: string;
  readonly rule?: unknown;
}

interface ParserInstance {
  _setMetaProperties(schema: JsonSchema, definition: JoiDescription): void;
  parse(description: unknown, definitions: Record<string, unknown>, level?: number): JsonSchema;
  _setStringFieldProperties(schema: JsonSchema, definition: { rules?: JoiRule[] }): void;
  _setObjectProperties(schema: JsonSchema, definition: { patterns?: JoiPattern[] }, definitions: Record<string, unknown>, level: number): void;
}

type ParserClass = new (options?: unknown) => ParserInstance;

// The parser classes are not in the package's typings; this path is part of its published files.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const OpenApi31Parser = require('joi-to-json/lib/parsers/open-api-3.1') as ParserClass;

const STRING_PATTERNS: Readonly<Record<string, string>> = {
  hex: '^[0-9a-fA-F]*$',
  alphanum: '^[a-zA-Z0-9]*$',
  token: '^[a-zA-Z0-9_]*$',
};

/** The parts of joi's describe() output this module reads or rewrites. */
interface JoiDescription {
  type?: string;
  flags?: Record<string, unknown>;
  rules?: { name: string; args?: Record<string, unknown> }[];
  whens?: { ref?: unknown; is?: unknown; then?: JoiDescription; otherwise?: JoiDescription; switch?: unknown }[];
  metas?: Record<string, unknown>[];
  allow?: unknown[];
  [key: string]: unknown;
}

/** Meta a schema carries to describe itself in JSON Schema where joi's rules cannot (e.g. a custom rule). */
export const OPENAPI_META = 'openapi';
/** Meta the `list()` query helper sets: the item schema and bound, documented as an array. */
export const LIST_ITEM_META = 'listItem';

const isRef = (value: unknown): boolean => typeof value === 'object' && value !== null && 'ref' in value;
const metaValue = (definition: JoiDescription, key: string): unknown => definition.metas?.find((meta) => key in meta)?.[key];

/**
 * Rewrites what JSON Schema cannot say before conversion:
 * - a bound given by a reference to a sibling (`min(Joi.ref('minPrice'))`) has no JSON Schema form
 *   (joi-to-json emitted `"minimum": {"ref": …}`, an invalid schema); it is dropped here and stated
 *   in the parameter's description instead;
 * - `Joi.when(sibling, { then, otherwise })` documents its unconditional branch (`otherwise`),
 *   not an untyped `oneOf`;
 * - a `list()` parameter (comma-separated or repeated) is an array of its item schema.
 */
function normalize(definition: JoiDescription): JoiDescription {
  let out: JoiDescription = definition;
  const when = definition.whens?.[0];
  if (definition.type === 'any' && definition.whens?.length === 1 && when?.otherwise && !when.switch) {
    out = { ...when.otherwise, flags: { ...(when.otherwise.flags ?? {}), ...(definition.flags ?? {}) }, metas: [...(when.otherwise.metas ?? []), ...(definition.metas ?? [])] };
  }
  const listItem = metaValue(out, LIST_ITEM_META) as { item: JoiDescription; max: number } | undefined;
  if (listItem) {
    out = { type: 'array', flags: out.flags, items: [listItem.item], rules: [{ name: 'max', args: { limit: listItem.max } }] };
  }
  if (out.rules?.some((rule) => Object.values(rule.args ?? {}).some(isRef))) {
    out = { ...out, rules: out.rules.filter((rule) => !Object.values(rule.args ?? {}).some(isRef)) };
  }
  return out;
}

// joi's `email()` demands a dot in the domain (`a@b` is refused); JSON Schema's `format: email` does not.
const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$';

class StringAwareParser extends OpenApi31Parser {
  override parse(description: unknown, definitions: Record<string, unknown>, level?: number): JsonSchema {
    return super.parse(normalize(description as JoiDescription), definitions, level);
  }

  override _setMetaProperties(schema: JsonSchema, definition: JoiDescription): void {
    super._setMetaProperties(schema, definition);
    if (schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'))) {
      const allowsEmpty = (definition.allow ?? []).includes('');
      const rules = definition.rules ?? [];
      // joi refuses '' unless allowed; after trim() a blank string is '' too.
      if (!allowsEmpty && schema.minLength === undefined && schema.enum === undefined && schema.const === undefined) schema.minLength = 1;
      if (!allowsEmpty && rules.some((rule) => rule.name === 'trim') && schema.pattern === undefined && schema.enum === undefined) {
        schema.pattern = '\\S';
      }
      if (rules.some((rule) => rule.name === 'email')) schema.pattern ??= EMAIL_PATTERN;
    }
    const extra = metaValue(definition, OPENAPI_META);
    if (extra && typeof extra === 'object') Object.assign(schema, extra);
  }

  override _setStringFieldProperties(schema: JsonSchema, definition: { rules?: JoiRule[] }): void {
    super._setStringFieldProperties(schema, definition);
    if (schema.type !== 'string') return;
    for (const rule of definition.rules ?? []) {
      if (rule.name === 'length' && typeof rule.args?.limit === 'number') {
        schema.minLength = rule.args.limit;
        schema.maxLength = rule.args.limit;
      }
      if (STRING_PATTERNS[rule.name] && schema.pattern === undefined) schema.pattern = STRING_PATTERNS[rule.name];
    }
  }

  override _setObjectProperties(schema: JsonSchema, definition: { patterns?: JoiPattern[]; rules?: JoiRule[] }, definitions: Record<string, unknown>, level: number): void {
    super._setObjectProperties(schema, definition, definitions, level);
    if (schema.type !== 'object') return;
    // A pattern keyed by a schema (not a regex) means "any key, values like this": a map.
    const map = definition.patterns?.find((pattern) => pattern.schema !== undefined && pattern.regex === undefined && pattern.rule);
    if (map) schema.additionalProperties = this.parse(map.rule, definitions, level + 1);
    // joi-to-json drops an object's key-count rules: `Joi.object(…).min(1)` (a PATCH body that must
    // change something) refused `{}` while the document allowed it.
    for (const rule of definition.rules ?? []) {
      const limit = rule.args?.limit;
      if (typeof limit !== 'number') continue;
      if (rule.name === 'min' || rule.name === 'length') schema.minProperties = limit;
      if (rule.name === 'max' || rule.name === 'length') schema.maxProperties = limit;
    }
  }
}

/** Named schemas (joi `.id()` + `.shared()` / `Joi.link`) that references point at: `#/components/schemas/<id>`. */
export type SharedSchemas = Record<string, JsonSchema>;

/**
 * Converts one joi schema. Named sub-schemas are moved into `shared` (which becomes
 * components.schemas) instead of staying nested where no `$ref` could reach them.
 */
export function toJsonSchema(schema: Joi.Schema, shared: SharedSchemas = {}): JsonSchema {
  const definitions: SharedSchemas = {};
  const result = new StringAwareParser().parse(schema.describe(), definitions);
  if (result.schemas === definitions) delete result.schemas;
  for (const [id, definition] of Object.entries(definitions)) {
    if (shared[id] && JSON.stringify(shared[id]) !== JSON.stringify(definition)) {
      throw new Error(`Two different joi schemas share the id "${id}"; give them distinct ids`);
    }
    shared[id] = definition;
  }
  return result;
}
