// Conditional requests: ETags for representations, If-None-Match → 304, If-Match → version.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { BadRequestError, PreconditionRequiredError } from './errors';
import { alreadyAnswered, sendSuccessText, successText } from './response';

/** A weak validator for a computed representation (lists, facets): equal JSON, equal tag. */
export function weakEtag(text: string): string {
  return `W/"${createHash('sha1').update(text).digest('base64url')}"`;
}

/**
 * Answers a computed representation (a list page, facets, the category tree) under a weak validator
 * of its own bytes: serialized once, hashed once, then 304 on a match or the envelope as is.
 */
export function sendValidated<T>(req: Pick<Request, 'get' | 'auth'>, res: Response, data: T, meta?: Record<string, unknown>): void {
  const text = successText(data, meta);
  if (answerConditionally(req, res, weakEtag(text))) return;
  sendSuccessText(res, text);
}

function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

/** If-None-Match uses weak comparison (RFC 9110 §13.1.2); `*` matches any current representation. */
export function isNotModified(req: Pick<Request, 'get'>, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** Strong validator for one versioned resource: its id and version change together with every write. */
export function versionEtag(view: { id: string; version: number }): string {
  return `"${view.id}-v${view.version}"`;
}

/**
 * Optimistic concurrency, parsed in one place: the version the client read comes from If-Match (our
 * ETag) or a `version` body field; both must agree; one is required (428 VERSION_REQUIRED).
 */
export function expectedVersion(ifMatch: string | undefined, id: string, bodyVersion: number | undefined, noun: string): number {
  let fromHeader: number | undefined;
  if (ifMatch !== undefined) {
    const match = new RegExp(`^"${id}-v(\\d+)"$`).exec(ifMatch.trim());
    if (!match) throw new BadRequestError(`If-Match must be the ETag this ${noun} was read with`, 'INVALID_PRECONDITION');
    fromHeader = Number(match[1]);
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw new BadRequestError('If-Match and version disagree', 'INVALID_PRECONDITION');
  }
  const version = fromHeader ?? bodyVersion;
  if (version === undefined) throw new PreconditionRequiredError(`Send If-Match with the ${noun} ETag or the version you read`, 'VERSION_REQUIRED');
  return version;
}

/**
 * Sets the validators of a readable representation and answers 304 when the client has it (true:
 * answered, write nothing more). Responses differ by caller (staff see more), so shared caches must
 * key on Authorization and revalidate.
 */
export function answerConditionally(req: Pick<Request, 'get' | 'auth'>, res: Response, etag: string): boolean {
  if (alreadyAnswered(res, 'conditional')) return true;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', req.auth ? 'private, no-cache' : 'public, no-cache');
  res.vary('Authorization'); // appended: CORS has already said the answer varies by Origin
  if (!isNotModified(req, etag)) return false;
  res.status(304).end();
  return true;
}
