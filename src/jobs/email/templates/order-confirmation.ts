import { escapeHtml, formatMoney, greeting, layout, type RenderedEmail, type TemplateContext } from './escape';

interface Line {
  name: string;
  quantity: number;
  unitPrice?: number;
}

export function renderOrderConfirmation(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const reference = String(data.orderNumber ?? data.orderId);
  const subject = `Order ${reference} confirmed`;
  const hello = greeting(data.name);
  const lines = (Array.isArray(data.items) ? data.items : []) as Line[];
  const total = formatMoney(data.total, data.currency);
  const textLines = lines.map((l) => `  ${l.quantity} × ${l.name}${l.unitPrice !== undefined ? ` @ ${formatMoney(l.unitPrice, data.currency)}` : ''}`);
  const text = [`${hello}`, '', `Thank you for your order ${reference}.`, ...(textLines.length ? ['', ...textLines] : []), ...(total ? ['', `Total: ${total}`] : []), ''].join('\n');
  const rows = lines
    .map((l) => `<tr><td>${escapeHtml(l.quantity)}</td><td>${escapeHtml(l.name)}</td><td>${escapeHtml(formatMoney(l.unitPrice, data.currency))}</td></tr>`)
    .join('\n');
  const html = layout(
    ctx,
    subject,
    [
      `<p>${escapeHtml(hello)}</p>`,
      `<p>Thank you for your order <strong>${escapeHtml(reference)}</strong>.</p>`,
      rows ? `<table>\n${rows}\n</table>` : '',
      total ? `<p>Total: <strong>${escapeHtml(total)}</strong></p>` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return { subject, text, html };
}
