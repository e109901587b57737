import { escapeHtml, greeting, layout, type RenderedEmail, type TemplateContext } from './escape';

export function renderOrderStatus(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const reference = String(data.orderNumber ?? data.orderId);
  const status = String(data.status);
  const subject = `Order ${reference} is now ${status}`;
  const hello = greeting(data.name);
  const text = `${hello}\n\nYour order ${reference} is now ${status}.\n\n— ${ctx.serviceName}\n`;
  const html = layout(
    ctx,
    subject,
    `<p>${escapeHtml(hello)}</p>\n<p>Your order <strong>${escapeHtml(reference)}</strong> is now <strong>${escapeHtml(status)}</strong>.</p>`,
  );
  return { subject, text, html };
}
