// HTML escaping for template values and the shared layout every email uses.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes a value for HTML text or a quoted attribute; every interpolated value goes through it. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

/** Only http(s) links are rendered as links; anything else (javascript:, data:) becomes '#'. */
export function safeUrl(value: unknown): string {
  const url = String(value ?? '');
  return /^https?:\/\//i.test(url) ? escapeHtml(url) : '#';
}

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface TemplateContext {
  readonly serviceName: string;
  readonly publicUrl: string;
}

export function greeting(name: unknown): string {
  return typeof name === 'string' && name.trim() ? `Hello ${name.trim()},` : 'Hello,';
}

/** Wraps already-escaped body HTML in the common layout. */
export function layout(ctx: TemplateContext, title: string, bodyHtml: string): string {
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;color:#222">',
    bodyHtml,
    `<p style="color:#888;font-size:12px">${escapeHtml(ctx.serviceName)}</p>`,
    '</body></html>',
  ].join('\n');
}

export function formatMoney(amount: unknown, currency: unknown): string {
  const value = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(value)) return '';
  return `${value.toFixed(2)} ${String(currency ?? 'USD')}`;
}
