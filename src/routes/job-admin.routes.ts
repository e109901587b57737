import Joi from 'joi';
import { createJobAdminController } from '../controllers/job-admin.controller';
import { EMAIL_JOB_ID_PATTERN } from '../jobs/email/job';
import { noBody } from '../middlewares/validate';
import type { JobAdminService } from '../services/job-admin.service';
import type { RouteDefinition } from './route-table';

const jobId = Joi.string()
  .max(320)
  .pattern(EMAIL_JOB_ID_PATTERN)
  .message('"id" must be an email job id such as welcome:<accountId>')
  .example('order-confirmation:000000000000000000000000');

const stats = Joi.object({
  waiting: Joi.number().integer().required(),
  active: Joi.number().integer().required(),
  delayed: Joi.number().integer().required(),
  completed: Joi.number().integer().required(),
  failed: Joi.number().integer().required(),
});

const failedJob = Joi.object({
  jobId: Joi.string().required(),
  kind: Joi.string().required(),
  to: Joi.string().required(),
  attemptsMade: Joi.number().integer().required(),
  failedReason: Joi.string().allow('').required(),
  failedAt: Joi.string().isoDate().allow(null).required(),
  requestId: Joi.string().allow(null).required(),
});

export function jobAdminRoutes(jobs: JobAdminService): RouteDefinition[] {
  const controller = createJobAdminController(jobs);
  const unavailable = { description: 'The queue cannot be inspected in this deployment (JOB_QUEUE_UNAVAILABLE)' };
  return [
    {
      method: 'get',
      path: '/admin/jobs/stats',
      summary: 'Email queue depth and completed/failed counts',
      tags: ['Admin', 'Jobs'],
      access: ['admin'],
      responses: { 200: { description: 'Counts by state', schema: Joi.object({ email: stats }) }, 503: unavailable },
      handler: controller.stats,
    },
    {
      method: 'get',
      path: '/admin/jobs/failed',
      summary: 'Dead letters: emails whose every attempt failed, newest first',
      tags: ['Admin', 'Jobs'],
      access: ['admin'],
      validate: { query: Joi.object({ limit: Joi.number().integer().min(1).max(100).default(20) }) },
      postman: { query: { limit: '10' } },
      responses: { 200: { description: 'Failed jobs with their reason', schema: Joi.array().items(failedJob) }, 503: unavailable },
      handler: controller.listFailed,
    },
    {
      method: 'post',
      path: '/admin/jobs/:id/retry',
      summary: 'Re-run one failed email job with a fresh set of attempts',
      description: 'The id is the logical job id shown by GET /admin/jobs/failed, e.g. `order-confirmation:<orderId>`.',
      tags: ['Admin', 'Jobs'],
      access: ['admin'],
      validate: { params: Joi.object({ id: jobId.required() }), body: noBody },
      responses: {
        202: { description: 'The job is waiting to run again', schema: Joi.object({ jobId: Joi.string().required(), status: Joi.string().valid('waiting').required() }) },
        404: { description: 'No such job (JOB_NOT_FOUND)' },
        409: { description: 'The job is not in the failed set (JOB_NOT_FAILED)' },
        503: unavailable,
      },
      // A dead letter needs a worker whose deliveries fail, which the run does not start: it asserts
      // the documented answer for an unknown job instead (the id example is an order that never existed).
      postman: { expectStatus: 404, expectCode: 'JOB_NOT_FOUND' },
      handler: controller.retry,
    },
    {
      method: 'post',
      path: '/admin/jobs/dashboard-link',
      summary: 'A one-minute link that opens the queue dashboard (/admin/queues) in a browser',
      description: 'Opening the link sets a 15-minute HttpOnly session cookie scoped to /admin/queues.',
      tags: ['Admin', 'Jobs'],
      access: ['admin'],
      validate: { body: noBody },
      responses: {
        201: { description: 'The link and when it expires', schema: Joi.object({ url: Joi.string().uri().required(), expiresAt: Joi.string().isoDate().required() }) },
        404: { description: 'The dashboard is disabled (DASHBOARD_DISABLED)' },
      },
      postman: { orError: { status: 404, code: 'DASHBOARD_DISABLED', when: 'the dashboard is off: production default, or no REDIS_URL (npm start)' } },
      handler: controller.dashboardLink,
    },
  ];
}
