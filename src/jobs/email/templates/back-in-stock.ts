import { escapeHtml, formatMoney, greeting, layout, safeUrl, type RenderedEmail, type TemplateContext } from './escape';

/** "Size M, Colour red" from `{ size: 'M', colour: 'red' }`; empty for a product without options. */
export function describeOptions(optionValues: unknown): string {
  if (!optionValues || typeof optionValues !== 'object') return '';
  return Object.entries(optionValues as Record<string, unknown>)
    .map(([name, value]) => `${name.charAt(0).toUpperCase()}${name.slice(1)} ${String(value)}`)
    .join(', ');
}

export function renderBackInStock(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const product = String(data.productName);
  const options = describeOptions(data.optionValues);
  const item = options ? `${product} (${options})` : product;
  const subject = `${item} is back in stock`;
  const hello = greeting(data.name);
  const price = formatMoney(data.price, data.currency);
  const url = typeof data.slug === 'string' ? `${ctx.publicUrl}/products/${encodeURIComponent(data.slug)}` : ctx.publicUrl;
  const why = 'You get this email because the item is on your wishlist. To stop back-in-stock emails, turn off notifyBackInStock on your wishlist (PATCH /api/v1/wishlist).';
  const text = [hello, '', `Good news: ${item} from your wishlist is back in stock${price ? ` at ${price}` : ''}.`, url, '', why, ''].join('\n');
  const html = layout(
    ctx,
    subject,
    [
      `<p>${escapeHtml(hello)}</p>`,
      `<p>Good news: <strong>${escapeHtml(item)}</strong> from your wishlist is back in stock${price ? ` at ${escapeHtml(price)}` : ''}.</p>`,
      `<p><a href="${safeUrl(url)}">See it in the shop</a></p>`,
      `<p style="color:#888;font-size:12px">${escapeHtml(why)}</p>`,
    ].join('\n'),
  );
  return { subject, text, html };
}
