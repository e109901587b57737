// The structural input checks and the plain-text rule, as pure functions.
import Joi from 'joi';
import { INPUT_LIMITS, inspectInput, isForbiddenKey } from '../../src/middlewares/input-guard';
import { containsMarkup, plainText, sanitizeRichText } from '../../src/utils/sanitize';
import { AppError } from '../../src/utils/errors';

function codeOf(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (err) {
    return err instanceof AppError ? err.code : 'UNEXPECTED';
  }
}

describe('isForbiddenKey', () => {
  it.each(['$where', '$ne', 'a.b', 'price[$gt]', '__proto__', 'constructor', 'prototype', 'a[__proto__]', 'x[constructor][prototype]'])(
    'when the key is %s, then it is forbidden',
    (key) => expect(isForbiddenKey(key)).toBe(true),
  );

  it.each(['email', 'minPrice', 'tags', 'price_usd', 'a$b', 'constructorName'])('when the key is %s, then it is allowed', (key) => expect(isForbiddenKey(key)).toBe(false));
});

describe('inspectInput', () => {
  const nest = (depth: number): unknown => (depth === 0 ? 'leaf' : { a: nest(depth - 1) });

  it('when a forbidden key is nested in an array of objects, then FORBIDDEN_KEY', () => {
    expect(codeOf(() => inspectInput('body', { items: [{ ok: 1 }, { $gt: 1 }] }))).toBe('FORBIDDEN_KEY');
  });

  it('when JSON.parse created an own "__proto__" key, then FORBIDDEN_KEY', () => {
    expect(codeOf(() => inspectInput('body', JSON.parse('{"__proto__":{"x":1}}')))).toBe('FORBIDDEN_KEY');
  });

  it('when nesting reaches the limit, then it passes; one deeper is PAYLOAD_TOO_COMPLEX', () => {
    expect(codeOf(() => inspectInput('body', nest(INPUT_LIMITS.maxDepth)))).toBeNull();
    expect(codeOf(() => inspectInput('body', nest(INPUT_LIMITS.maxDepth + 2)))).toBe('PAYLOAD_TOO_COMPLEX');
  });

  it('when an array, a string or an object exceeds its bound, then PAYLOAD_TOO_COMPLEX', () => {
    expect(codeOf(() => inspectInput('body', { a: new Array(INPUT_LIMITS.maxArrayLength + 1).fill(0) }))).toBe('PAYLOAD_TOO_COMPLEX');
    expect(codeOf(() => inspectInput('query', { q: 'x'.repeat(INPUT_LIMITS.maxStringLength + 1) }))).toBe('PAYLOAD_TOO_COMPLEX');
    const wide = Object.fromEntries(Array.from({ length: INPUT_LIMITS.maxKeysPerObject + 1 }, (_, i) => [`k${i}`, i]));
    expect(codeOf(() => inspectInput('body', wide))).toBe('PAYLOAD_TOO_COMPLEX');
  });

  it('when input is ordinary, then nothing is thrown', () => {
    expect(codeOf(() => inspectInput('body', { firstName: 'Ada', addresses: [{ line1: '1 Main St', country: 'FR' }] }))).toBeNull();
    expect(codeOf(() => inspectInput('body', undefined))).toBeNull();
  });
});

describe('plain text and rich text', () => {
  it.each(['Fish & Chips', '5 < 6 and 7 > 3', '&lt;b&gt; is escaped', 'Tom &amp; Jerry', ''])(
    'when the text is %s, then it holds no markup',
    (text) => expect(containsMarkup(text)).toBe(false),
  );

  it.each(['<b>x</b>', 'a<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'x <!-- c -->', '<svg/onload=alert(1)>', '"><script>'])(
    'when the text is %s, then it is markup',
    (text) => expect(containsMarkup(text)).toBe(true),
  );

  it('when a plainText field holds markup, then joi reports text.markup and otherwise keeps the text as sent', () => {
    const schema = Joi.object({ name: plainText({ min: 1, max: 50 }) });
    expect(schema.validate({ name: '<b>x</b>' }).error?.details[0].type).toBe('text.markup');
    expect(schema.validate({ name: '  Fish & Chips  ' }).value).toEqual({ name: 'Fish & Chips' });
  });

  it('when rich text is sanitized, then scripts, handlers and javascript: links go and the allow-list stays', () => {
    const html = '<p onclick="x()">Hi <b>there</b><script>alert(1)</script> <a href="javascript:alert(1)">x</a> <a href="https://ok.test">ok</a></p>';
    expect(sanitizeRichText(html)).toBe('<p>Hi <b>there</b> <a rel="nofollow noopener noreferrer">x</a> <a href="https://ok.test" rel="nofollow noopener noreferrer">ok</a></p>');
  });

});
