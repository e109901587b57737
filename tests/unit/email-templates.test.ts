import { createEmailProcessor, PermanentEmailError } from '../../src/jobs/email/processor';
import type { Mailer, OutgoingEmail } from '../../src/jobs/email/mailer';
import { renderEmail } from '../../src/jobs/email/templates';
import { testConfig } from '../support/app';

const ctx = { serviceName: 'Shop', publicUrl: 'https://shop.example' };
const hostile = '<script>alert(1)</script>"\'&';

describe('email templates', () => {
  it.each([
    ['welcome', { name: hostile }],
    ['password-reset', { name: hostile, resetUrl: 'https://shop.example/r?t=1&x=2' }],
    ['order-confirmation', { name: hostile, orderId: hostile, items: [{ name: hostile, quantity: 2, unitPrice: 3 }], total: 6, currency: 'EUR' }],
    ['order-status', { name: hostile, orderId: hostile, status: hostile }],
    ['back-in-stock', { name: hostile, productName: hostile, slug: 'lamp', optionValues: { size: hostile }, price: 5, currency: 'EUR' }],
    ['low-stock', { name: hostile, productName: hostile, sku: hostile, optionValues: { size: hostile }, stock: 2, threshold: 5 }],
    ['daily-report', { name: hostile, day: '2026-03-10', timeZone: hostile, summary: { orders: 1, net: 5, currency: hostile } }],
    ['order-paid', { name: hostile, orderId: hostile, total: 12.5, currency: 'EUR' }],
    ['order-refunded', { name: hostile, orderId: hostile, amount: 2, totalRefunded: 2, fullyRefunded: false, currency: 'EUR' }],
    ['order-shipped', { name: hostile, orderId: hostile, carrier: hostile, trackingNumber: hostile }],
  ] as const)('when %s is rendered with markup in every value, then the HTML escapes it and the text keeps it readable', (kind, data) => {
    const email = renderEmail(kind, data, ctx);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(email.text).toContain(hostile);
    expect(email.subject.length).toBeGreaterThan(0);
  });

  it('when a value carries line breaks into the subject, then the subject stays one header line', () => {
    const email = renderEmail('order-status', { orderId: 'o1', status: 'paid\r\nBcc: victim@example.com' }, ctx);
    expect(email.subject).toBe('Order o1 is now paid Bcc: victim@example.com');
  });

  it('when a variant is back in stock, then the email names it with its options and price, links the product and says how to opt out', () => {
    const email = renderEmail('back-in-stock', { name: 'Ada', productName: 'Trail Shoe', slug: 'trail shoe', optionValues: { size: '42', colour: 'red' }, price: 55, currency: 'EUR' }, ctx);
    expect(email.subject).toBe('Trail Shoe (Size 42, Colour red) is back in stock');
    expect(email.text).toContain('at 55.00 EUR');
    expect(email.html).toContain('href="https://shop.example/products/trail%20shoe"');
    expect(email.text).toContain('notifyBackInStock');
  });

  it('when stock runs low, then the admin email names the SKU, what is left and the threshold', () => {
    const email = renderEmail('low-stock', { productName: 'Trail Shoe', sku: 'TS-42', optionValues: {}, stock: 3, threshold: 5 }, ctx);
    expect(email.subject).toBe('Low stock: TS-42 has 3 left');
    expect(email.text).toContain('Trail Shoe, SKU TS-42, is down to 3 in stock (below the alert threshold of 5)');
  });

  it('when a reset link is not http(s), then the HTML link is neutralised', () => {
    const email = renderEmail('password-reset', { resetUrl: 'javascript:alert(1)' }, ctx);
    expect(email.html).toContain('href="#"');
  });

  it('when a reset has only a token, then the link is built from the public URL with the token encoded', () => {
    const email = renderEmail('password-reset', { token: 'a b&c' }, ctx);
    expect(email.text).toContain('https://shop.example/reset-password?token=a%20b%26c');
  });
});

describe('createEmailProcessor', () => {
  const config = testConfig();
  function recordingMailer(): Mailer & { sent: OutgoingEmail[] } {
    const sent: OutgoingEmail[] = [];
    return { sent, send: async (email) => (sent.push(email), { messageId: '<m@test>' }), close: async () => undefined };
  }

  it('when the job is valid, then one rendered email goes to the mailer with the job id', async () => {
    const mailer = recordingMailer();
    const result = await createEmailProcessor({ mailer, config })({ jobId: 'welcome:1', data: { kind: 'welcome', to: 'a@example.com', data: { name: 'Ada' } }, attempt: 1, attempts: 5 });
    expect(result).toEqual({ messageId: '<m@test>' });
    expect(mailer.sent).toEqual([expect.objectContaining({ to: 'a@example.com', jobId: 'welcome:1', subject: `Welcome to ${config.serviceName}` })]);
  });

  it('when the stored payload is invalid, then a PermanentEmailError is thrown and nothing is sent', async () => {
    const mailer = recordingMailer();
    const run = createEmailProcessor({ mailer, config })({ jobId: 'welcome:1', data: { kind: 'welcome', to: 'not-an-address', data: {} }, attempt: 1, attempts: 5 });
    await expect(run).rejects.toBeInstanceOf(PermanentEmailError);
    expect(mailer.sent).toHaveLength(0);
  });
});
