// Structural checks on raw request input, run by `validate` for every route before its schemas:
// NoSQL operator and dotted-path keys, prototype-pollution keys, and bounds on nesting depth,
// array length, string length and key count. They hold even for a schema that allows unknown
// keys, and for routes added later, because every route goes through the route table.
import { BadRequestError, type ErrorDetail } from '../utils/errors';

export const INPUT_LIMITS = {
  /** Objects/arrays inside objects/arrays; our deepest payload (an address in a list) is 3. */
  maxDepth: 8,
  maxArrayLength: 200,
  maxStringLength: 10_000,
  maxKeysPerObject: 100,
} as const;

type Location = 'params' | 'query' | 'body';

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A key is refused when it could steer MongoDB or the object model: `$`-operators (`$where`, `$ne`),
 * dotted paths (`role.x`, `a.$`), bracketed operators from a query string (`price[$gt]`) and the
 * prototype keys. Segments are split on brackets so `?a[__proto__]=x` is caught as well.
 */
export function isForbiddenKey(key: string): boolean {
  if (key.includes('.')) return true;
  const segments = key.split(/[[\]]/).filter(Boolean);
  return segments.some((segment) => segment.startsWith('$') || PROTOTYPE_KEYS.has(segment)) || key.startsWith('$');
}

interface Finding {
  readonly code: 'FORBIDDEN_KEY' | 'PAYLOAD_TOO_COMPLEX';
  readonly detail: ErrorDetail;
}

function forbidden(location: Location, path: string, key: string): Finding {
  return {
    code: 'FORBIDDEN_KEY',
    detail: { location, path: path || key, message: `Key "${key}" is not allowed (operator, dotted or prototype keys are refused)`, type: 'key.forbidden' },
  };
}

function tooComplex(location: Location, path: string, message: string, type: string): Finding {
  return { code: 'PAYLOAD_TOO_COMPLEX', detail: { location, path: path || location, message, type } };
}

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

/** Depth-first walk that stops at the first finding; bounded by maxDepth, so it cannot recurse deeply. */
function walk(location: Location, value: unknown, path: string, depth: number): Finding | null {
  if (typeof value === 'string') {
    return value.length > INPUT_LIMITS.maxStringLength
      ? tooComplex(location, path, `Strings are limited to ${INPUT_LIMITS.maxStringLength} characters`, 'string.tooLong')
      : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth > INPUT_LIMITS.maxDepth) {
    return tooComplex(location, path, `Nesting deeper than ${INPUT_LIMITS.maxDepth} levels is not accepted`, 'object.tooDeep');
  }
  if (Array.isArray(value)) {
    if (value.length > INPUT_LIMITS.maxArrayLength) {
      return tooComplex(location, path, `Arrays are limited to ${INPUT_LIMITS.maxArrayLength} items`, 'array.tooLong');
    }
    for (let i = 0; i < value.length; i += 1) {
      const found = walk(location, value[i], join(path, i), depth + 1);
      if (found) return found;
    }
    return null;
  }
  // Own keys only, including a JSON "__proto__" key (JSON.parse creates it as an own property).
  const keys = Object.keys(value);
  if (keys.length > INPUT_LIMITS.maxKeysPerObject) {
    return tooComplex(location, path, `Objects are limited to ${INPUT_LIMITS.maxKeysPerObject} keys`, 'object.tooManyKeys');
  }
  for (const key of keys) {
    if (isForbiddenKey(key)) return forbidden(location, join(path, key), key);
    const found = walk(location, (value as Record<string, unknown>)[key], join(path, key), depth + 1);
    if (found) return found;
  }
  return null;
}

/** Throws 400 FORBIDDEN_KEY or PAYLOAD_TOO_COMPLEX for hostile input; returns quietly otherwise. */
export function inspectInput(location: Location, value: unknown): void {
  const found = walk(location, value, '', 0);
  if (!found) return;
  const message = found.code === 'FORBIDDEN_KEY' ? 'Request contains a forbidden key' : 'Request payload is too complex';
  throw new BadRequestError(message, found.code, { details: [found.detail] });
}
