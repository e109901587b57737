// XSS defence on the way in: joi rules built on sanitize-html, used by the route schemas.
//
// Policy (documented in ARCHITECTURE.md, "Defence"):
// - Names, addresses, product names and descriptions are PLAIN TEXT: the allow-list is empty.
//   Text that sanitize-html would change by removing markup (tags, comments, unterminated tags)
//   is rejected with 400 rather than silently stripped — stripping entity-encodes the rest
//   ("Fish & Chips" → "Fish &amp; Chips") and hides from the client that its input was altered.
//   Text such as "5 < 6" or "&lt;b&gt;" contains no markup and is kept exactly as sent.
// - A field that genuinely needs formatting uses `richText()`: it is sanitized with the small
//   allow-list below (no scripts, styles, event handlers, or non-http(s)/mailto links).
import Joi from 'joi';
import sanitizeHtml from 'sanitize-html';

const NO_MARKUP: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  // Keep existing entities as sent, so the comparison below is exact (see escapeLikeSanitizer).
  parser: { decodeEntities: false },
};

/** The allow-list for rich text: inline emphasis, paragraphs, lists and safe links. */
export const RICH_TEXT_ALLOW_LIST: sanitizeHtml.IOptions = {
  allowedTags: ['b', 'strong', 'i', 'em', 'u', 'p', 'br', 'ul', 'ol', 'li', 'a'],
  // rel is always overwritten by the transform below, so links never pass the opener or referrer on.
  allowedAttributes: { a: ['href', 'title', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }) },
};

/** How sanitize-html (with decodeEntities: false) escapes a text node; equal output ⇒ nothing removed. */
function escapeLikeSanitizer(text: string): string {
  return text.replace(/&(?![a-zA-Z0-9#]{1,20};)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** True when the text contains markup an HTML parser would act on (tags, comments, CDATA…). */
export function containsMarkup(text: string): boolean {
  return sanitizeHtml(text, NO_MARKUP) !== escapeLikeSanitizer(text);
}

/** Sanitizes rich text with the documented allow-list. */
export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, RICH_TEXT_ALLOW_LIST);
}

/** A trimmed, length-bounded plain-text string; markup is a 400, never stored. */
export function plainText(options: { max: number; min?: number }): Joi.StringSchema {
  const base = Joi.string().trim().max(options.max);
  return (options.min === undefined ? base : base.min(options.min))
    .custom((value: string, helpers) => (containsMarkup(value) ? helpers.error('text.markup') : value))
    .messages({ 'text.markup': '{{#label}} is plain text; HTML markup is not allowed' })
    // For the OpenAPI document (routes/joi-schema.ts): the markup check has no JSON Schema form, so the
    // document promises the safe subset — no angle brackets, not blank (`5 < 6` is accepted all the same).
    .meta({ openapi: { pattern: '^([^<>]*[^\\s<>][^<>]*)?$' } });
}

/** A length-bounded string sanitized with RICH_TEXT_ALLOW_LIST (the bound applies to the input). */
export function richText(options: { max: number }): Joi.StringSchema {
  return Joi.string()
    .trim()
    .max(options.max)
    .custom((value: string) => sanitizeRichText(value));
}
