// The email job: its queue name, per-kind payload schemas (checked before enqueue and again in the
// worker), retry/backoff/retention options and the mapping of logical ids to queue job ids.
import Joi from 'joi';
import type { AppConfig } from '../../config';
import { ValidationError } from '../../utils/errors';
import { EVENT_ID_PATTERN, jobIdFitsKind } from '../outbox/events';
import { attachmentRefs } from './attachments';
import type { EmailKind, EmailRequest } from './types';

export const EMAIL_QUEUE_NAME = 'email';
export const EMAIL_JOB_NAME = 'send-email';
/** Our own backoff type, so BullMQ and the in-memory queue use the same function (`backoffDelayMs`). */
export const EMAIL_BACKOFF_TYPE = 'email-exponential';

export const EMAIL_KINDS: readonly EmailKind[] = ['welcome', 'password-reset', 'order-confirmation', 'order-status', 'back-in-stock', 'low-stock', 'order-paid', 'order-refunded', 'order-shipped', 'daily-report'];

/** What travels in the queue: the request plus the id of the HTTP request that enqueued it. */
export interface EmailJobData {
  readonly kind: EmailKind;
  readonly to: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly requestId?: string;
}

const name = Joi.string().trim().max(200);
const money = Joi.number().min(0);

// Unknown keys are allowed so producers may pass extra context; what templates read is checked.
const payloadSchemas: Record<EmailKind, Joi.ObjectSchema> = {
  welcome: Joi.object({ name }).unknown(true),
  'password-reset': Joi.object({
    name,
    resetUrl: Joi.string().uri({ scheme: ['http', 'https'] }),
    token: Joi.string().max(500),
    expiresInMinutes: Joi.number().integer().min(1),
  })
    .or('resetUrl', 'token')
    .unknown(true),
  'order-confirmation': Joi.object({
    name,
    orderId: Joi.string().max(100).required(),
    orderNumber: Joi.string().max(100),
    currency: Joi.string().max(10).default('USD'),
    total: money,
    items: Joi.array()
      .max(500)
      .items(Joi.object({ name: name.required(), quantity: Joi.number().integer().min(1).required(), unitPrice: money }).unknown(true)),
  }).unknown(true),
  'order-status': Joi.object({
    name,
    orderId: Joi.string().max(100).required(),
    orderNumber: Joi.string().max(100),
    status: Joi.string().max(50).required(),
  }).unknown(true),
  'back-in-stock': Joi.object({
    name,
    productName: name.required(),
    slug: Joi.string().max(120),
    sku: Joi.string().max(40),
    optionValues: Joi.object().pattern(Joi.string().max(30), Joi.string().max(40)),
    price: money,
    currency: Joi.string().max(10),
  }).unknown(true),
  'low-stock': Joi.object({
    name,
    productName: name.required(),
    sku: Joi.string().max(40).required(),
    optionValues: Joi.object().pattern(Joi.string().max(30), Joi.string().max(40)),
    stock: Joi.number().integer().min(0).required(),
    threshold: Joi.number().integer().min(1),
  }).unknown(true),
  'daily-report': Joi.object({
    name,
    day: Joi.string().pattern(/^\d{4}-\d{2}-\d{2}$/).required(),
    timeZone: Joi.string().max(100).required(),
    summary: Joi.object().required(),
    attachments: attachmentRefs.default([]),
  }),
  'order-paid': Joi.object({ name, orderId: Joi.string().max(100).required(), currency: Joi.string().max(10).required(), total: money.required() }).unknown(true),
  'order-refunded': Joi.object({
    name,
    orderId: Joi.string().max(100).required(),
    currency: Joi.string().max(10).required(),
    amount: money.required(),
    totalRefunded: money.required(),
    fullyRefunded: Joi.boolean().required(),
  }).unknown(true),
  'order-shipped': Joi.object({
    name,
    orderId: Joi.string().max(100).required(),
    carrier: Joi.string().max(100).required(),
    trackingNumber: Joi.string().max(100).required(),
  }).unknown(true),
};

// `<kind>:<part>[:<part>…]`, each part plain: it becomes a Redis key and a URL segment.
// Outbox events use their event id (`order-placed:<orderId>`) as the job id, so the prefix is either
// an email kind or an event type whose consumer sends that kind (checked by jobIdFitsKind).
export const EMAIL_JOB_ID_PATTERN = EVENT_ID_PATTERN;

export const emailJobDataSchema = Joi.object({
  kind: Joi.string()
    .valid(...EMAIL_KINDS)
    .required(),
  to: Joi.string().email({ tlds: false }).max(254).required(),
  data: Joi.object().required(),
  requestId: Joi.string().max(128),
});

export function isEmailJobId(value: string): boolean {
  return EMAIL_JOB_ID_PATTERN.test(value);
}

/** Validates a payload for its kind; returns it with defaults applied or throws ValidationError. */
export function validateEmailJobData(input: EmailJobData): EmailJobData {
  const envelope = emailJobDataSchema.validate(input, { abortEarly: false });
  if (envelope.error) throw invalid(envelope.error);
  const payload = payloadSchemas[input.kind].validate(input.data, { abortEarly: false });
  if (payload.error) throw invalid(payload.error, 'data');
  return { ...envelope.value, data: payload.value } as EmailJobData;
}

/** Checks what a service asks to send, before anything is written to the queue. */
export function validateEmailRequest(email: EmailRequest, requestId?: string): EmailJobData {
  if (typeof email.jobId !== 'string' || !isEmailJobId(email.jobId) || !jobIdFitsKind(email.jobId, email.kind)) {
    throw new ValidationError('Invalid email job id', [{ path: 'jobId', message: 'must be "<kind>:<id>" with plain id parts' }], 'EMAIL_INVALID');
  }
  return validateEmailJobData({ kind: email.kind, to: email.to, data: email.data, ...(requestId ? { requestId } : {}) });
}

function invalid(error: Joi.ValidationError, prefix?: string): ValidationError {
  const details = error.details.map((d) => ({ path: [prefix, ...d.path].filter(Boolean).join('.'), message: d.message, type: d.type }));
  return new ValidationError('Invalid email payload', details, 'EMAIL_INVALID');
}

// BullMQ rejects custom ids containing ':' (unless exactly three parts), so the queue id swaps
// ':' for '.', which the logical id never contains. Admins and producers only see logical ids.
export function toQueueJobId(logicalId: string): string {
  return logicalId.replaceAll(':', '.');
}

export function toLogicalJobId(queueJobId: string): string {
  return queueJobId.replaceAll('.', ':');
}

export interface BackoffSettings {
  readonly backoffMs: number;
  readonly backoffJitter: number;
}

/**
 * Delay before the retry that follows `attemptsMade` failed attempts: base · 2^(n-1), of which the
 * jitter share is random (full value at most). With jitter ≤ 0.5 (the config maximum) the lowest
 * possible delay of a retry is the highest of the one before, so delays never shrink.
 */
export function backoffDelayMs(attemptsMade: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const max = Math.round(2 ** Math.max(0, attemptsMade - 1) * settings.backoffMs);
  const jitter = Math.min(0.5, Math.max(0, settings.backoffJitter));
  return Math.floor(max * (1 - jitter) + random() * max * jitter);
}

/** Retention bounds: completed jobs are kept (and so de-duplicated) for a week, failed ones a month. */
export const RETENTION = {
  completed: { age: 7 * 24 * 3600, count: 10_000 },
  failed: { age: 30 * 24 * 3600, count: 10_000 },
} as const;

export function emailJobOptions(email: AppConfig['email'], logicalId: string) {
  return {
    jobId: toQueueJobId(logicalId),
    attempts: email.attempts,
    backoff: { type: EMAIL_BACKOFF_TYPE, delay: email.backoffMs },
    removeOnComplete: RETENTION.completed,
    removeOnFail: RETENTION.failed,
  };
}
