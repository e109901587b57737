// 405 for a known path asked with a method it does not declare, with the `Allow` header listing the
// methods it does (derived from the route table, so it cannot drift from the router). Mounted after
// the routers: a request reaching it matched no route for its method. It must also sit before
// anything that serves a path prefix for every method (Swagger UI under /docs would otherwise
// answer `TRACE /docs/openapi.json` with its HTML page).
import type { NextFunction, Request, Response } from 'express';
import { MethodNotAllowedError } from '../utils/errors';

export interface DeclaredEndpoint {
  /** Lower-case method as declared (`get`, `post`, …). */
  readonly method: string;
  /** Full Express path template, e.g. `/api/v1/products/:id`. */
  readonly path: string;
}

function templateRegex(template: string): RegExp {
  const escaped = template
    .split(/(:[A-Za-z0-9_]+)/)
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  // Express matches with an optional trailing slash.
  return new RegExp(`^${escaped}/?$`);
}

export function methodNotAllowed(endpoints: readonly DeclaredEndpoint[]) {
  const byTemplate = new Map<string, { regex: RegExp; methods: Set<string> }>();
  for (const { method, path } of endpoints) {
    const entry = byTemplate.get(path) ?? { regex: templateRegex(path), methods: new Set<string>() };
    entry.methods.add(method.toUpperCase());
    // Express answers HEAD wherever it answers GET.
    if (method === 'get') entry.methods.add('HEAD');
    byTemplate.set(path, entry);
  }
  const entries = [...byTemplate.values()];
  return function rejectUndeclaredMethod(req: Request, _res: Response, next: NextFunction): void {
    const allowed = new Set<string>();
    for (const entry of entries) if (entry.regex.test(req.path)) entry.methods.forEach((m) => allowed.add(m));
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    next(new MethodNotAllowedError(req.method, req.path, [...allowed].sort()));
  };
}
