import { escapeHtml, greeting, layout, safeUrl, type RenderedEmail, type TemplateContext } from './escape';

export function renderPasswordReset(data: Record<string, unknown>, ctx: TemplateContext): RenderedEmail {
  const subject = 'Reset your password';
  const hello = greeting(data.name);
  const url =
    typeof data.resetUrl === 'string' ? data.resetUrl : `${ctx.publicUrl}/reset-password?token=${encodeURIComponent(String(data.token ?? ''))}`;
  const expiry = typeof data.expiresInMinutes === 'number' ? ` The link expires in ${data.expiresInMinutes} minutes.` : '';
  const text = `${hello}\n\nSomeone asked to reset the password of your account. Open this link to choose a new one:\n${url}\n${expiry}\nIf it was not you, ignore this email; your password stays unchanged.\n`;
  const html = layout(
    ctx,
    subject,
    [
      `<p>${escapeHtml(hello)}</p>`,
      '<p>Someone asked to reset the password of your account.</p>',
      `<p><a href="${safeUrl(url)}">Choose a new password</a>${escapeHtml(expiry)}</p>`,
      '<p>If it was not you, ignore this email; your password stays unchanged.</p>',
    ].join('\n'),
  );
  return { subject, text, html };
}
