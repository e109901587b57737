// One template per email kind; each returns subject, plain text and HTML with every value escaped.
import type { EmailKind } from '../types';
import { renderBackInStock } from './back-in-stock';
import { renderDailyReport } from './daily-report';
import { renderLowStock } from './low-stock';
import type { RenderedEmail, TemplateContext } from './escape';
import { renderOrderConfirmation } from './order-confirmation';
import { renderOrderPaid, renderOrderRefunded, renderOrderShipped } from './order-payment';
import { renderOrderStatus } from './order-status';
import { renderPasswordReset } from './password-reset';
import { renderWelcome } from './welcome';

export type { RenderedEmail, TemplateContext } from './escape';

const templates: Record<EmailKind, (data: Record<string, unknown>, ctx: TemplateContext) => RenderedEmail> = {
  welcome: renderWelcome,
  'password-reset': renderPasswordReset,
  'order-confirmation': renderOrderConfirmation,
  'order-status': renderOrderStatus,
  'back-in-stock': renderBackInStock,
  'low-stock': renderLowStock,
  'daily-report': renderDailyReport,
  'order-paid': renderOrderPaid,
  'order-refunded': renderOrderRefunded,
  'order-shipped': renderOrderShipped,
};

export function renderEmail(kind: EmailKind, data: Readonly<Record<string, unknown>>, ctx: TemplateContext): RenderedEmail {
  // Subjects are headers: strip line breaks so a value cannot inject another header.
  const rendered = templates[kind]({ ...data }, ctx);
  return { ...rendered, subject: rendered.subject.replace(/[\r\n]+/g, ' ') };
}
