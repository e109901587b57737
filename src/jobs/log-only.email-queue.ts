// Placeholder until the email job module lands: records each email in the log and sends nothing.
// It is wired only when no real queue exists, and says so at start-up.
import { logger } from '../utils/logger';
import type { EmailQueue } from './email.types';

export function createLogOnlyEmailQueue(): EmailQueue {
  return {
    async enqueue(email) {
      logger.warn('email not delivered: no email queue is configured', { jobId: email.jobId, kind: email.kind });
      return { jobId: email.jobId };
    },
    async close() {},
  };
}
