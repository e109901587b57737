// The daily-report email: figures and links escaped in the template, and attachments opened by
// reference when the worker sends (a file that no longer exists fails the job for good).
import { Readable } from 'node:stream';
import { Types } from 'mongoose';
import { createEmailProcessor, PermanentEmailError } from '../../src/jobs/email/processor';
import type { Mailer, OutgoingEmail } from '../../src/jobs/email/mailer';
import { reportAttachments } from '../../src/jobs/email/report-attachments';
import { renderEmail } from '../../src/jobs/email/templates';
import { testConfig } from '../support/app';

const ctx = { serviceName: 'Shop', publicUrl: 'https://shop.example' };
const summary = { orders: 3, units: 4, gross: 35.5, refundedOrders: 1, refunds: 13, net: 22.5, averageOrderValue: 11.83, newCustomers: 1, currency: 'EUR' };

describe('daily-report email', () => {
  it('when rendered, then the figures, the zone and both download links are in the text and the HTML', () => {
    const email = renderEmail('daily-report', { day: '2026-03-10', timeZone: 'Europe/Berlin', summary, attachments: [], name: '<b>Ada</b>' }, ctx);
    expect(email.subject).toBe('Sales report 2026-03-10: 3 orders, 22.50 EUR net');
    expect(email.text).toContain('Net revenue: 22.50 EUR');
    expect(email.text).toContain('https://shop.example/api/v1/reports/2026-03-10.csv?kind=products');
    expect(email.html).toContain('&lt;b&gt;Ada&lt;/b&gt;');
    expect(email.html).not.toContain('<b>Ada</b>');
  });

  it('when a job names a stored file, then it is attached; when the file is gone, then the job fails permanently', async () => {
    const fileId = new Types.ObjectId();
    const sent: OutgoingEmail[] = [];
    const mailer: Mailer = { send: async (email) => (sent.push(email), { messageId: '<1@test>' }), close: async () => undefined };
    const files = new Map([[fileId.toString(), 'a,b\n1,2\n']]);
    const openAttachment = reportAttachments({
      fileInfo: async (id) => (files.has(String(id)) ? { fileId, filename: 'x.csv', bytes: 8 } : null),
      openFile: (id) => Readable.from([files.get(String(id))!]),
    });
    const process = createEmailProcessor({ mailer, config: testConfig(), openAttachment });
    const attachments = [{ filename: 'sales-2026-03-10-orders.csv', contentType: 'text/csv', fileId: fileId.toString() }];
    const job = (jobId: string) => ({ jobId, data: { kind: 'daily-report', to: 'admin@example.test', data: { day: '2026-03-10', timeZone: 'UTC', summary, attachments } }, attempt: 1, attempts: 1 });

    await process(job(`daily-report:2026-03-10:${new Types.ObjectId()}`));
    expect(sent[0].attachments).toEqual([expect.objectContaining({ filename: 'sales-2026-03-10-orders.csv', contentType: 'text/csv' })]);

    files.clear();
    await expect(process(job(`daily-report:2026-03-10:${new Types.ObjectId()}`))).rejects.toBeInstanceOf(PermanentEmailError);
    expect(sent).toHaveLength(1);
  });
});
