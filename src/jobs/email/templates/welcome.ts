import { escapeHtml, greeting, layout, type RenderedEmail, type TemplateContext } from './escape';

export function renderWelcome(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const subject = `Welcome to ${ctx.serviceName}`;
  const hello = greeting(data.name);
  const text = `${hello}\n\nYour account is ready. Sign in at ${ctx.publicUrl} to get started.\n\n— ${ctx.serviceName}\n`;
  const html = layout(
    ctx,
    subject,
    `<p>${escapeHtml(hello)}</p>\n<p>Your account is ready. Sign in at <a href="${escapeHtml(ctx.publicUrl)}">${escapeHtml(ctx.publicUrl)}</a> to get started.</p>`,
  );
  return { subject, text, html };
}
