// Development without SMTP: each email becomes an .eml file a person can open.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMailer } from '../../src/jobs/email/mailer';
import { testConfig } from '../support/app';

describe('mailer without SMTP_URL', () => {
  it('when an email is sent in development, then an .eml file with headers and both bodies is written under MAIL_DIR', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-'));
    try {
      const mailer = createMailer(testConfig({ SMTP_URL: undefined, MAIL_DIR: dir }));
      const sent = await mailer.send({ to: 'a@example.com', subject: 'Hi', text: 'plain body', html: '<p>html body</p>', jobId: 'welcome:abc' });
      expect(sent.file).toMatch(new RegExp(`^${dir}/.+welcome_abc\\.eml$`));
      const eml = await fs.readFile(sent.file!, 'utf8');
      expect(eml).toMatch(/^To: a@example\.com$/m);
      expect(eml).toMatch(/^Subject: Hi$/m);
      expect(eml).toMatch(/^X-Email-Job-Id: welcome:abc$/im);
      expect(eml).toContain('plain body');
      expect(eml).toContain('<p>html body</p>');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('when production has no SMTP_URL, then the mailer refuses to start', () => {
    const config = { ...testConfig({ SMTP_URL: undefined }), isProduction: true };
    expect(() => createMailer(config)).toThrow(/SMTP_URL is required in production/);
  });
});
