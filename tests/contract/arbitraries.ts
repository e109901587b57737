// fast-check arbitraries built from the GENERATED OpenAPI document: values a schema accepts
// (`valid`) and values that break it (`invalid`). Covers the JSON Schema the generator emits
// (types, enum/const, bounds, multipleOf, patterns, formats, arrays, objects, anyOf/oneOf, if/then/else, $ref).
import fc from 'fast-check';

export type Schema = Record<string, unknown>;
export type Components = Record<string, Schema>;

const MAX_ARRAY = 4;
/** Consecutive rejections after which a filtered arbitrary gives up (fast-check's filter retries forever). */
const MAX_MISSES = 10_000;

/**
 * `arbitrary.filter(predicate)` that fails loudly instead of spinning: a schema no generated value can
 * satisfy (say a pattern longer than a length cap) would otherwise block the event loop for good,
 * and with it Jest's own timeout.
 */
export function satisfying<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => boolean, what: string): fc.Arbitrary<T> {
  let misses = 0;
  return arbitrary.filter((value) => {
    if (predicate(value)) {
      misses = 0;
      return true;
    }
    misses += 1;
    if (misses > MAX_MISSES) throw new Error(`no generated value satisfies ${what} after ${MAX_MISSES} tries`);
    return false;
  });
}

function resolve(schema: Schema, components: Components): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const target = components[ref.split('/').pop()!];
  if (!target) throw new Error(`unresolved ${ref}`);
  return resolve(target, components);
}

function dateTime(): fc.Arbitrary<string> {
  return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
}

/** RFC 3339 full-date (`format: date`): a real calendar day. */
function fullDate(): fc.Arbitrary<string> {
  return dateTime().map((iso) => iso.slice(0, 10));
}

function email(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.stringMatching(/^[a-z]{1,12}$/), fc.constantFrom('com', 'org', 'test', 'shop'))
    .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);
}

function validString(schema: Schema): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  // A pattern bounds the length itself (`^[a-f0-9]{64}\.png$` is 68 long): no default cap on top of it.
  const declaredMax = schema.maxLength as number | undefined;
  const maxLength = declaredMax ?? (typeof schema.pattern === 'string' ? Number.MAX_SAFE_INTEGER : 60);
  if (schema.format === 'date-time') return dateTime();
  if (schema.format === 'date') return fullDate();
  // Our named format for IANA zone names (analytics `tz`): the zones this runtime knows.
  if (schema.format === 'iana-time-zone') return fc.constantFrom('UTC', ...Intl.supportedValuesOf('timeZone'));
  if (schema.format === 'email') return satisfying(email(), (s) => s.length <= maxLength, `email of at most ${maxLength}`);
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  if (typeof schema.pattern === 'string') {
    const regex = new RegExp(schema.pattern, 'u');
    // fast-check generates from simple patterns; `\S`-style "contains" patterns are met by construction.
    // A single character class repeated (`^[0-9a-f]*$` with a length): generate the length directly.
    const repeated = /^\^(\[[^\]]+\])[*+]\$$/.exec(schema.pattern);
    if (repeated) return fc.stringMatching(new RegExp(`^${repeated[1]}{${Math.max(minLength, 1)},${Math.min(maxLength, 200)}}$`));
    const what = `pattern ${schema.pattern} with length ${minLength}..${maxLength}`;
    try {
      return satisfying(fc.stringMatching(anchored(schema.pattern)), (s) => fits(s) && regex.test(s), what);
    } catch {
      return satisfying(fc.string({ minLength: Math.max(minLength, 1), maxLength: Math.min(maxLength, 200) }), (s) => regex.test(s), what);
    }
  }
  return fc.string({ minLength, maxLength: Math.min(maxLength, 200) });
}

/** fc.stringMatching produces any string containing a match unless the pattern is anchored. */
function anchored(pattern: string): RegExp {
  if (pattern.startsWith('^') && pattern.endsWith('$')) return new RegExp(pattern);
  if (pattern === '\\S') return /^[A-Za-z0-9][A-Za-z0-9 ,.'-]{0,30}$/;
  return new RegExp(`^${pattern}$`);
}

function validNumber(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = (schema.minimum as number | undefined) ?? -1_000_000;
  const max = (schema.maximum as number | undefined) ?? 1_000_000;
  const step = schema.multipleOf as number | undefined;
  if (integer) return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  if (step) return fc.integer({ min: Math.ceil(min / step), max: Math.floor(max / step) }).map((n) => Number((n * step).toFixed(10)));
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
}

function validObject(schema: Schema, components: Components): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const record = fc.record(
    Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, valid(value, components)])),
    { requiredKeys: [...required].filter((key) => key in properties) },
  ) as fc.Arbitrary<Record<string, unknown>>;
  // `anyOf: [{ required: [a] }, { required: [b] }]` (joi `.or`): at least one of them present.
  const alternatives = (schema.anyOf as Schema[] | undefined)?.map((s) => s.required as string[] | undefined);
  const keyed = alternatives?.every(Boolean)
    ? satisfying(record, (value) => alternatives.some((keys) => keys!.every((k) => k in value)), `one of ${JSON.stringify(alternatives)}`)
    : record;
  // `minProperties`/`maxProperties` (joi `object().min(n)`/`.max(n)`): a PATCH body must change something.
  const min = (schema.minProperties as number | undefined) ?? 0;
  const max = (schema.maxProperties as number | undefined) ?? Number.POSITIVE_INFINITY;
  if (min === 0 && max === Number.POSITIVE_INFINITY) return keyed;
  return satisfying(keyed, (value) => Object.keys(value).length >= min && Object.keys(value).length <= max, `${min}..${max} keys`);
}

/**
 * Does `value` meet an `if` schema? The converter's conditionals select a branch by which keys are
 * present (joi `alternatives().conditional(Joi.object().or(…))`): `required` and `anyOf`/`oneOf` of
 * `required`. Anything else is refused loudly rather than guessed.
 */
function meetsCondition(condition: Schema, value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { type: _type, properties, additionalProperties: _additional, required, anyOf, oneOf, ...rest } = condition;
  // Properties may be named (so `required` refers to defined ones) but not constrained (joi `any()`: every type).
  const anyType = (p: Schema) => Object.keys(p).every((key) => key === 'type') && (p.type === undefined || (Array.isArray(p.type) && p.type.length >= 6));
  const constrained = Object.values((properties ?? {}) as Record<string, Schema>).some((p) => !anyType(p));
  if (Object.keys(rest).length || constrained) throw new Error(`unsupported if-condition ${JSON.stringify(condition)}`);
  const has = (keys: unknown) => ((keys as string[] | undefined) ?? []).every((key) => key in value);
  const options = (anyOf ?? oneOf) as Schema[] | undefined;
  return has(required) && (!options || options.some((option) => has(option.required)));
}

/** A value the schema accepts. */
export function valid(input: Schema, components: Components): fc.Arbitrary<unknown> {
  const schema = resolve(input, components);
  if (schema.if && (schema.then || schema.else)) {
    // Each branch's values, kept only where the condition sends them to that branch.
    const { if: condition, then: whenMet, else: otherwise, ...base } = schema as Schema & { if: Schema; then?: Schema; else?: Schema };
    const branches = [
      ...(whenMet ? [satisfying(valid({ ...base, ...whenMet }, components), (v) => meetsCondition(condition, v), 'the if-condition')] : []),
      ...(otherwise ? [satisfying(valid({ ...base, ...otherwise }, components), (v) => !meetsCondition(condition, v), 'not the if-condition')] : []),
    ];
    return fc.oneof(...branches);
  }
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key] as Schema[] | undefined;
    if (options && options.every((o) => o.type || o.$ref || o.enum)) return fc.oneof(...options.map((o) => valid({ ...withoutKey(schema, key), ...o }, components)));
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  if (types.length > 1) return fc.oneof(...types.map((type) => valid({ ...schema, type }, components)));
  switch (types[0]) {
    case 'string':
      return validString(schema);
    case 'integer':
      return validNumber(schema, true);
    case 'number':
      return validNumber(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = valid((schema.items ?? {}) as Schema, components);
      const constraints = { minLength: (schema.minItems as number | undefined) ?? 0, maxLength: Math.min((schema.maxItems as number | undefined) ?? MAX_ARRAY, MAX_ARRAY) };
      return schema.uniqueItems ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(items, constraints);
    }
    case 'object':
      return validObject(schema, components);
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.boolean());
  }
}

function withoutKey(schema: Schema, key: string): Schema {
  const { [key]: _omitted, ...rest } = schema;
  return rest;
}

/** A value that breaks the schema (a wrong type, out of bounds, not in the enum, an unknown key…). */
export function invalid(input: Schema, components: Components): fc.Arbitrary<unknown> {
  const schema = resolve(input, components);
  if (schema.if && (schema.then || schema.else)) {
    // Broken against a branch: a value the other branch would take is not invalid.
    const { if: condition, then: whenMet, else: otherwise, ...base } = schema as Schema & { if: Schema; then?: Schema; else?: Schema };
    return fc.oneof(
      ...(whenMet ? [invalid({ ...base, ...whenMet }, components)] : []),
      ...(otherwise ? [satisfying(invalid({ ...base, ...otherwise }, components), (v) => !meetsCondition(condition, v), 'not the if-condition')] : []),
    );
  }
  const wrongType = fc.oneof(fc.constant({ $gt: '' }), fc.constant([]), fc.constant(null), fc.constant('not-a-number'), fc.constant(true), fc.constant(-1.5));
  const options: fc.Arbitrary<unknown>[] = [wrongType, fc.string({ minLength: 201, maxLength: 400 })];
  if (Array.isArray(schema.enum)) options.push(fc.constant('__not_in_enum__'));
  if (typeof schema.maximum === 'number') options.push(fc.constant(schema.maximum + 1));
  if (typeof schema.minimum === 'number') options.push(fc.constant(schema.minimum - 1));
  if (typeof schema.maxLength === 'number') options.push(fc.constant('a'.repeat(schema.maxLength + 1)));
  if (schema.type === 'object') {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const base = validObject(schema, components);
    options.push(base.map((value) => ({ ...value, __unknown__: 1 })));
    if (typeof schema.minProperties === 'number' && schema.minProperties > 0) options.push(fc.constant({}));
    const required = (schema.required as string[] | undefined) ?? [];
    if (required.length) options.push(fc.tuple(base, fc.constantFrom(...required)).map(([value, key]) => withoutKey(value, key)));
    const keys = Object.keys(properties);
    if (keys.length) {
      options.push(
        fc.tuple(base, fc.constantFrom(...keys)).chain(([value, key]) => invalid(properties[key]!, components).map((bad) => ({ ...value, [key]: bad }))),
      );
    }
  }
  return fc.oneof(...options);
}
