// The domain event registry: every event type the outbox carries, its payload schema and what its
// consumer does with it. A new event (paid, shipped, back in stock…) is one entry here: a type, a
// schema, and the work it leads to. Producers validate against the schema when they record an
// event; the relay validates again and parks an event that fails (a poison event).
import Joi from 'joi';
import type { EmailKind, EmailRequest } from '../email/types';

/**
 * Who consumes an event; an event may have several. An email consumer sends the template `kind`
 * (`to` comes from the payload, the rest is the template data; an event without `to` sends
 * nothing). An `analytics` consumer folds the event into the sales rollups (services/analytics).
 * Each consumer has its own queue, and in every queue the job id is the event id. A new consumer is
 * a variant here, its case in the relay's publisher and its queue in the worker.
 */
export type EventConsumer = { readonly queue: 'email'; readonly kind: EmailKind } | { readonly queue: 'analytics' };
export type ConsumerName = EventConsumer['queue'];

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

/** The email kind an event type sends, if it has an email consumer. */
export function emailKindOf(type: string): EmailKind | undefined {
  for (const consumer of eventDefinition(type)?.consumers ?? []) if (consumer.queue === 'email') return consumer.kind;
  return undefined;
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

/** The email kind a job id may carry: its own kind's prefix, or an event type that leads to it. */
export function jobIdFitsKind(jobId: string, kind: EmailKind): boolean {
  const prefix = jobId.slice(0, jobId.indexOf(':'));
  return prefix === kind || emailKindOf(prefix) === kind;
}
