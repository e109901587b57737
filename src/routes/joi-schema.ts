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

class StringAwareParser extends OpenApi31Parser {
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

  override _setObjectProperties(schema: JsonSchema, definition: { patterns?: JoiPattern[] }, definitions: Record<string, unknown>, level: number): void {
    super._setObjectProperties(schema, definition, definitions, level);
    // A pattern keyed by a schema (not a regex) means "any key, values like this": a map.
    const map = definition.patterns?.find((pattern) => pattern.schema !== undefined && pattern.regex === undefined && pattern.rule);
    if (schema.type === 'object' && map) schema.additionalProperties = this.parse(map.rule, definitions, level + 1);
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
