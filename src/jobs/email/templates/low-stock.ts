import { describeOptions } from './back-in-stock';
import { escapeHtml, greeting, layout, type RenderedEmail, type TemplateContext } from './escape';

export function renderLowStock(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const sku = String(data.sku);
  const stock = String(data.stock);
  const options = describeOptions(data.optionValues);
  const item = `${String(data.productName)}${options ? ` (${options})` : ''}`;
  const subject = `Low stock: ${sku} has ${stock} left`;
  const hello = greeting(data.name);
  const below = typeof data.threshold === 'number' ? ` (below the alert threshold of ${data.threshold})` : '';
  const text = `${hello}\n\n${item}, SKU ${sku}, is down to ${stock} in stock${below}. Restock it before it sells out.\n\n— ${ctx.serviceName}\n`;
  const html = layout(
    ctx,
    subject,
    [
      `<p>${escapeHtml(hello)}</p>`,
      `<p><strong>${escapeHtml(item)}</strong>, SKU <code>${escapeHtml(sku)}</code>, is down to <strong>${escapeHtml(stock)}</strong> in stock${escapeHtml(below)}.</p>`,
      '<p>Restock it before it sells out.</p>',
    ].join('\n'),
  );
  return { subject, text, html };
}
