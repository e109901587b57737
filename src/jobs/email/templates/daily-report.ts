// The daily sales report to admins: the day's figures in the body, the CSVs attached (or linked when
// a file was too large to attach), and the download links either way.
import { escapeHtml, formatMoney, greeting, layout, safeUrl, type RenderedEmail, type TemplateContext } from './escape';

interface Summary {
  orders?: number;
  units?: number;
  gross?: number;
  refunds?: number;
  refundedOrders?: number;
  net?: number;
  averageOrderValue?: number;
  newCustomers?: number;
  currency?: string | null;
}

export function renderDailyReport(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const day = String(data.day);
  const tz = String(data.timeZone);
  const s = (data.summary ?? {}) as Summary;
  const currency = s.currency ?? '';
  const money = (v: unknown) => (currency ? formatMoney(v ?? 0, currency) : '0.00');
  const rows: [string, string][] = [
    ['Orders', String(s.orders ?? 0)],
    ['Units', String(s.units ?? 0)],
    ['Gross revenue', money(s.gross)],
    ['Refunds', `${money(s.refunds)} (${s.refundedOrders ?? 0} orders)`],
    ['Net revenue', money(s.net)],
    ['Average order value', money(s.averageOrderValue)],
    ['New customers', String(s.newCustomers ?? 0)],
  ];
  const base = `${ctx.publicUrl.replace(/\/+$/, '')}/api/v1/reports/${encodeURIComponent(day)}.csv`;
  const links: [string, string][] = [
    ['Orders CSV', base],
    ['Product sales CSV', `${base}?kind=products`],
  ];
  const attached = Array.isArray(data.attachments) ? data.attachments.length : 0;
  const files = attached ? 'The CSVs are attached; admins can also download them:' : 'Download the CSVs (admin sign-in required):';
  const subject = `Sales report ${day}: ${s.orders ?? 0} orders, ${money(s.net)} net`;
  const hello = greeting(data.name);
  const text = [
    hello,
    '',
    `Sales for ${day} (${tz}):`,
    ...rows.map(([k, v]) => `  ${k}: ${v}`),
    '',
    files,
    ...links.map(([k, v]) => `  ${k}: ${v}`),
    '',
    `— ${ctx.serviceName}`,
    '',
  ].join('\n');
  const html = layout(
    ctx,
    subject,
    [
      `<p>${escapeHtml(hello)}</p>`,
      `<p>Sales for <strong>${escapeHtml(day)}</strong> (${escapeHtml(tz)}):</p>`,
      `<table>${rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td style="text-align:right"><strong>${escapeHtml(v)}</strong></td></tr>`).join('')}</table>`,
      `<p>${escapeHtml(files)}</p>`,
      `<ul>${links.map(([k, v]) => `<li><a href="${safeUrl(v)}">${escapeHtml(k)}</a></li>`).join('')}</ul>`,
    ].join('\n'),
  );
  return { subject, text, html };
}
