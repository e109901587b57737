// Conditional requests: ETags for representations, If-None-Match → 304, If-Match → version.
import { createHash } from 'node:crypto';
import type { Request } from 'express';

/** A weak validator for a computed representation (lists, facets): equal JSON, equal tag. */
export function weakEtag(body: unknown): string {
  return `W/"${createHash('sha1').update(JSON.stringify(body)).digest('base64url')}"`;
}

function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

/** If-None-Match uses weak comparison (RFC 9110 §13.1.2); `*` matches any current representation. */
export function isNotModified(req: Request, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}
