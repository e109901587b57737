// The domain event registry: every event type the outbox carries, its payload schema and what its
// consumer does with it. A new event (paid, shipped, back in stock…) is one entry here: a type, a
// schema, and the work it leads to. Producers validate against the schema when they record an
// event; the relay validates again and parks an event that fails (a poison event).
import Joi from 'joi';
import { attachmentRefs } from '../email/attachments';
import type { EmailKind, EmailRequest } from '../email/types';

/**
 * Who consumes an event; an event may have several, each on its own queue.
 * - `email` sends the template `kind` (`to` comes from the payload, the rest is the template data;
 *   an event without `to` sends nothing). Its job id is the event id — except for a fan-out.
 * - `analytics` folds the event into the sales rollups (services/analytics); job id = event id.
 * A new consumer is a variant here, its case in the relay's publisher and its queue in the worker.
 *
 * A fan-out email (`fanOut`) names an audience instead of a `to`: the publisher resolves its
 * recipients when it publishes and enqueues one email each, job id
 * `<kind>:<the event id's parts>:<accountId>` (e.g. `back-in-stock:<variant>:<restockSeq>:<account>`).
 */
export type EventConsumer = { readonly queue: 'email'; readonly kind: EmailKind; readonly fanOut?: FanOut } | { readonly queue: 'analytics' };
export type ConsumerName = EventConsumer['queue'];
export type EmailConsumer = Extract<EventConsumer, { queue: 'email' }>;

/** Audiences of fan-out events: accounts watching a variant (wishlists), and admin accounts. */
export type FanOut = 'variant-watchers' | 'admins';

export interface Recipient {
  readonly accountId: string;
  readonly email: string;
  readonly name?: string;
}

/** An audience's recipients for one event, in batches; the composition root wires the resolvers. */
export type Audience = (event: { readonly payload: Record<string, unknown>; readonly occurredAt: Date }) => AsyncIterable<readonly Recipient[]>;
export type Audiences = Readonly<Record<FanOut, Audience>>;

export interface EventTypeDefinition {
  readonly schema: Joi.ObjectSchema;
  readonly consumers: readonly EventConsumer[];
  /** Payload fields that are secrets: removed from the stored event once it is published. */
  readonly secretFields?: readonly string[];
}

const to = Joi.string().email({ tlds: false }).max(254).required();
// Order facts count in analytics even when the account can no longer receive mail (then no email).
const orderTo = Joi.string().email({ tlds: false }).max(254).allow(null).required();
const name = Joi.string().trim().max(200).allow('');
const orderId = Joi.string().max(100).required();
const money = Joi.number().min(0);
const objectId = Joi.string().hex().length(24).required();
// What both stock alerts say about the variant (services/stock/crossings.ts builds them).
const variantFacts = {
  productId: objectId,
  variantId: objectId,
  productName: Joi.string().max(200).required(),
  sku: Joi.string().max(40).required(),
  optionValues: Joi.object().pattern(Joi.string().max(30), Joi.string().max(40)).max(3).default({}),
  stock: Joi.number().integer().min(0).required(),
};
const seq = Joi.number().integer().min(1).required();
const lines = Joi.array()
  .max(500)
  .items(Joi.object({ name: Joi.string().max(200).required(), quantity: Joi.number().integer().min(1).required(), unitPrice: money, lineTotal: money }));

export const EVENT_TYPES = {
  'account-registered': {
    schema: Joi.object({ to, name }),
    consumers: [{ queue: 'email', kind: 'welcome' }],
  },
  'password-reset-requested': {
    schema: Joi.object({ to, name, token: Joi.string().max(500).required(), expiresInMinutes: Joi.number().integer().min(1).required() }),
    consumers: [{ queue: 'email', kind: 'password-reset' }],
    // The plain token lives in the outbox only until the job holds it.
    secretFields: ['token'],
  },
  'order-placed': {
    schema: Joi.object({ to, orderId, status: Joi.string().max(50).required(), total: money.required(), currency: Joi.string().max(10).required(), items: lines.required() }),
    consumers: [{ queue: 'email', kind: 'order-confirmation' }],
  },
  'order-status-changed': {
    schema: Joi.object({ to: orderTo, orderId, status: Joi.string().max(50).required() }),
    consumers: [{ queue: 'email', kind: 'order-status' }, { queue: 'analytics' }],
  },
  'order-cancelled': {
    schema: Joi.object({ to: orderTo, orderId, status: Joi.string().valid('cancelled').required(), reason: Joi.string().max(500) }),
    consumers: [{ queue: 'email', kind: 'order-status' }, { queue: 'analytics' }],
  },
  // Payment and delivery (issue 18): recorded with the provider's fact or the staff change that caused
  // them. Paid and refunded orders count in the sales rollups (services/analytics/contribution.ts).
  'order-paid': {
    schema: Joi.object({ to: orderTo, orderId, status: Joi.string().valid('paid').required(), total: money.required(), currency: Joi.string().max(10).required() }),
    consumers: [{ queue: 'email', kind: 'order-paid' }, { queue: 'analytics' }],
  },
  'order-payment-failed': {
    schema: Joi.object({ to, orderId, status: Joi.string().valid('payment_failed').required(), reason: Joi.string().max(500) }),
    consumers: [{ queue: 'email', kind: 'order-status' }],
  },
  'order-refunded': {
    schema: Joi.object({
      to: orderTo,
      orderId,
      currency: Joi.string().max(10).required(),
      amount: money.required(),
      totalRefunded: money.required(),
      fullyRefunded: Joi.boolean().required(),
    }),
    consumers: [{ queue: 'email', kind: 'order-refunded' }, { queue: 'analytics' }],
  },
  // A refund added to the order's history (its own fact: the provider's refund event may be applied first).
  'order-refund-recorded': {
    schema: Joi.object({ orderId, refundId: Joi.string().max(255).required(), amountMinor: Joi.number().integer().min(0).required() }),
    consumers: [{ queue: 'analytics' }],
  },
  'order-shipped': {
    schema: Joi.object({ to, orderId, carrier: Joi.string().max(100).required(), trackingNumber: Joi.string().max(100).required() }),
    consumers: [{ queue: 'email', kind: 'order-shipped' }],
  },
  // Fan-outs: recipients are resolved at publish time (see EventConsumer).
  'variant-back-in-stock': {
    schema: Joi.object({ ...variantFacts, slug: Joi.string().max(120).required(), price: money.required(), currency: Joi.string().max(10).required(), restockSeq: seq }),
    consumers: [{ queue: 'email', kind: 'back-in-stock', fanOut: 'variant-watchers' }],
  },
  'variant-low-stock': {
    schema: Joi.object({ ...variantFacts, threshold: Joi.number().integer().min(1).required(), seq }),
    consumers: [{ queue: 'email', kind: 'low-stock', fanOut: 'admins' }],
  },
  // A day's sales report was stored (services/reports): each admin gets it, CSVs attached by reference.
  'report-daily-ready': {
    schema: Joi.object({ day: Joi.string().pattern(/^\d{4}-\d{2}-\d{2}$/).required(), timeZone: Joi.string().max(100).required(), summary: Joi.object().required(), attachments: attachmentRefs.required() }),
    consumers: [{ queue: 'email', kind: 'daily-report', fanOut: 'admins' }],
  },
} satisfies Record<string, EventTypeDefinition>;

export type EventType = keyof typeof EVENT_TYPES;

/** `<type>:<part>[:<part>…]`: a plain, deterministic id that doubles as the queue job id. */
export const EVENT_ID_PATTERN = /^[a-z][a-z-]{1,40}(:[A-Za-z0-9_-]{1,100}){1,3}$/;

export function eventDefinition(type: string): EventTypeDefinition | undefined {
  return Object.hasOwn(EVENT_TYPES, type) ? (EVENT_TYPES as Record<string, EventTypeDefinition>)[type] : undefined;
}

/** Validates a payload for its type; returns the reason it is invalid, or the cleaned payload. */
export function checkEventPayload(type: string, payload: unknown): { ok: true; payload: Record<string, unknown> } | { ok: false; reason: string } {
  const definition = eventDefinition(type);
  if (!definition) return { ok: false, reason: `unknown event type "${type}"` };
  const { value, error } = definition.schema.validate(payload, { abortEarly: false, stripUnknown: false });
  if (error) return { ok: false, reason: `invalid ${type} payload: ${error.message}` };
  return { ok: true, payload: value as Record<string, unknown> };
}

/** The email consumer of an event type, if it has one. */
export function emailConsumerOf(type: string): EmailConsumer | undefined {
  for (const consumer of eventDefinition(type)?.consumers ?? []) if (consumer.queue === 'email') return consumer;
  return undefined;
}

/** The email kind an event type sends, if it has an email consumer. */
export function emailKindOf(type: string): EmailKind | undefined {
  return emailConsumerOf(type)?.kind;
}

/** True when every consumer of the type is a fan-out: done once its emails are queued. */
export function isFanOutOnly(type: string): boolean {
  const consumers = eventDefinition(type)?.consumers ?? [];
  return consumers.length > 0 && consumers.every((consumer) => consumer.queue === 'email' && consumer.fanOut !== undefined);
}

/** The consumers an event id's type has (the id starts with its type): all must confirm the event. */
export function consumersOfEventId(eventId: string): ConsumerName[] {
  return (eventDefinition(eventId.slice(0, eventId.indexOf(':')))?.consumers ?? []).map((c) => c.queue);
}

/** The email an event leads to (the job id is the event id); null when the payload names no recipient. */
export function emailFor(event: { readonly _id: string; readonly type: string }, payload: Record<string, unknown>): EmailRequest | null {
  const kind = emailKindOf(event.type);
  const { to, ...data } = payload;
  if (!kind || typeof to !== 'string') return null;
  return { kind, to, data, jobId: event._id };
}

/** One recipient's email of a fan-out event: job id `<kind>:<event id after its type>:<accountId>`. */
export function fanOutEmailFor(event: { readonly _id: string; readonly type: string }, payload: Record<string, unknown>, recipient: Recipient): EmailRequest {
  const { kind } = emailConsumerOf(event.type)!;
  const facts = event._id.slice(event._id.indexOf(':') + 1);
  return { kind, to: recipient.email, data: { ...payload, ...(recipient.name && { name: recipient.name }) }, jobId: `${kind}:${facts}:${recipient.accountId}` };
}

/** The email kind a job id may carry: its own kind's prefix, or an event type that leads to it. */
export function jobIdFitsKind(jobId: string, kind: EmailKind): boolean {
  const prefix = jobId.slice(0, jobId.indexOf(':'));
  return prefix === kind || emailKindOf(prefix) === kind;
}
