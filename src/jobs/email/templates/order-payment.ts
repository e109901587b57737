// Emails that follow an order's payment and delivery: paid, refunded (in part or in full), shipped.
import { escapeHtml, formatMoney, greeting, layout, type RenderedEmail, type TemplateContext } from './escape';

function reference(data: Record<string, unknown>): string {
  return String(data.orderNumber ?? data.orderId);
}

export function renderOrderPaid(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const ref = reference(data);
  const total = formatMoney(data.total, data.currency);
  const subject = `Payment received for order ${ref}`;
  const hello = greeting(data.name);
  const text = `${hello}\n\nWe received your payment of ${total} for order ${ref}. We will let you know when it ships.\n\n— ${ctx.serviceName}\n`;
  const html = layout(
    ctx,
    subject,
    `<p>${escapeHtml(hello)}</p>\n<p>We received your payment of <strong>${escapeHtml(total)}</strong> for order <strong>${escapeHtml(ref)}</strong>. We will let you know when it ships.</p>`,
  );
  return { subject, text, html };
}

export function renderOrderRefunded(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const ref = reference(data);
  const amount = formatMoney(data.amount, data.currency);
  const totalRefunded = formatMoney(data.totalRefunded, data.currency);
  const full = data.fullyRefunded === true;
  const subject = full ? `Order ${ref} refunded` : `Partial refund for order ${ref}`;
  const hello = greeting(data.name);
  const what = full ? `Order ${ref} has been refunded in full (${totalRefunded}).` : `We refunded ${amount} for order ${ref} (${totalRefunded} refunded so far).`;
  const text = `${hello}\n\n${what} Your bank may take a few days to show it.\n\n— ${ctx.serviceName}\n`;
  const html = layout(ctx, subject, `<p>${escapeHtml(hello)}</p>\n<p>${escapeHtml(what)} Your bank may take a few days to show it.</p>`);
  return { subject, text, html };
}

export function renderOrderShipped(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const ref = reference(data);
  const carrier = String(data.carrier);
  const tracking = String(data.trackingNumber);
  const subject = `Order ${ref} has shipped`;
  const hello = greeting(data.name);
  const text = `${hello}\n\nYour order ${ref} is on its way with ${carrier}. Tracking number: ${tracking}.\n\n— ${ctx.serviceName}\n`;
  const html = layout(
    ctx,
    subject,
    `<p>${escapeHtml(hello)}</p>\n<p>Your order <strong>${escapeHtml(ref)}</strong> is on its way with ${escapeHtml(carrier)}.</p>\n<p>Tracking number: <strong>${escapeHtml(tracking)}</strong></p>`,
  );
  return { subject, text, html };
}
