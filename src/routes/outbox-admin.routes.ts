import Joi from 'joi';
import { createOutboxAdminController, type StuckEventsQuery } from '../controllers/outbox-admin.controller';
import { EVENT_ID_PATTERN } from '../jobs/outbox/events';
import { noBody } from '../middlewares/validate';
import type { OutboxAdminService } from '../services/outbox/outbox-admin';
import type { IdParams } from '../utils/typed-request';
import { route, type RouteDefinition } from './route-table';

const eventId = Joi.string()
  .max(320)
  .pattern(EVENT_ID_PATTERN)
  .message('"id" must be an outbox event id such as order-placed:<orderId>')
  .example('order-placed:000000000000000000000000');

const event = Joi.object({
  id: Joi.string().required(),
  type: Joi.string().required(),
  aggregateId: Joi.string().required(),
  state: Joi.string().valid('pending', 'parked', 'published').required(),
  occurredAt: Joi.string().isoDate().required(),
  attempts: Joi.number().integer().required(),
  lastError: Joi.string().allow(null).required(),
  parkedAt: Joi.string().isoDate().allow(null).required(),
  publishedAt: Joi.string().isoDate().allow(null).required(),
  requestId: Joi.string().allow(null).required(),
});

export function outboxAdminRoutes(outbox: OutboxAdminService): RouteDefinition[] {
  const controller = createOutboxAdminController(outbox);
  return [
    route({
      method: 'get',
      path: '/admin/outbox/stuck',
      summary: 'Outbox events not delivered to the queue: parked (poison) and pending for longer than olderThanSeconds',
      description: 'Parked events carry the reason in `lastError`; pending ones the last publish error (e.g. Redis down). Oldest first.',
      tags: ['Admin', 'Jobs'],
      access: ['admin'],
      validate: {
        query: Joi.object<StuckEventsQuery>({
          olderThanSeconds: Joi.number().integer().min(0).max(30 * 24 * 3600).default(60),
          limit: Joi.number().integer().min(1).max(100).default(20),
        }),
      },
      postman: { query: { olderThanSeconds: '60', limit: '20' } },
      responses: { 200: { description: 'Stuck and parked events', schema: Joi.array().items(event) } },
      handler: controller.listStuck,
    }),
    route({
      method: 'post',
      path: '/admin/outbox/:id/republish',
      summary: 'Publish one outbox event again (after fixing what parked it, or to re-drive a stuck one)',
      description:
        'Safe to repeat: the queue job id and the delivery ledger are the event id, so an event already delivered is not emailed twice. A payload that still fails its schema is parked again.',
      tags: ['Admin', 'Jobs'],
      access: ['admin'],
      validate: { params: Joi.object<IdParams>({ id: eventId.required() }), body: noBody },
      responses: {
        202: { description: 'The event is pending again; a relay publishes it', schema: event },
        404: { description: 'No such event (OUTBOX_EVENT_NOT_FOUND)' },
      },
      postman: { expectStatus: 404, expectCode: 'OUTBOX_EVENT_NOT_FOUND' },
      handler: controller.republish,
    }),
  ];
}
