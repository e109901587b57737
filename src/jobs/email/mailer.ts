// Sends a rendered email: nodemailer over SMTP_URL, or — in development without SMTP — an .eml
// file under MAIL_DIR that a person can open. Production without SMTP_URL refuses to start.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import { projectRoot, type AppConfig } from '../../config';
import { logger } from '../../utils/logger';

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Stable per logical email, so a provider (or a reader of .eml files) can spot a duplicate. */
  readonly jobId: string;
  /** Files, streamed into the message as it is written. */
  readonly attachments?: readonly OutgoingAttachment[];
}

export interface OutgoingAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Readable | Buffer | string;
}

export interface SentEmail {
  readonly messageId: string;
  /** Where the .eml file went, when writing files instead of sending. */
  readonly file?: string;
  /** Nothing was sent: the delivery ledger says this job was sent before. */
  readonly alreadySent?: boolean;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<SentEmail>;
  close(): Promise<void>;
}

function headersFor(email: OutgoingEmail) {
  return { 'X-Email-Job-Id': email.jobId };
}

/** What both transports hand nodemailer. */
function messageOf(from: string, email: OutgoingEmail) {
  return {
    from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    headers: headersFor(email),
    ...(email.attachments?.length && { attachments: email.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })) }),
  };
}

/**
 * SMTP through a pool of open connections, one per concurrent job: a new TCP (and TLS) handshake and
 * SMTP greeting per message was what bounded the worker. Options in the URL (`?pool=false`,
 * `?maxConnections=2`) win over these defaults.
 */
export function createSmtpMailer(smtpUrl: string, from: string, maxConnections = 5): Mailer {
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections, maxMessages: 100 });
  return {
    async send(email) {
      const info = await transport.sendMail(messageOf(from, email));
      return { messageId: String(info.messageId) };
    },
    async close() {
      transport.close();
    },
  };
}

export function createFileMailer(mailDir: string, from: string): Mailer {
  const dir = path.resolve(projectRoot, mailDir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(email) {
      const info = await transport.sendMail(messageOf(from, email));
      await fs.mkdir(dir, { recursive: true });
      const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${email.jobId.replace(/[^A-Za-z0-9_-]/g, '_')}.eml`);
      await fs.writeFile(file, info.message as Buffer);
      logger.info('email written to file (no SMTP_URL configured)', { file });
      return { messageId: String(info.messageId), file };
    },
    async close() {},
  };
}

export function createMailer(config: AppConfig): Mailer {
  const { smtpUrl, from, mailDir } = config.email;
  if (smtpUrl) return createSmtpMailer(smtpUrl, from, config.email.workerConcurrency);
  if (config.isProduction) throw new Error('SMTP_URL is required in production');
  return createFileMailer(mailDir, from);
}
