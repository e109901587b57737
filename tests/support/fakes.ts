// Fakes passed by argument (no module mocking of our own code).
import { validateEmailRequest } from '../../src/jobs/email/job';
import type { EmailQueue, EmailRequest } from '../../src/jobs/email/types';

export interface RecordingEmailQueue extends EmailQueue {
  readonly sent: EmailRequest[];
}

/**
 * Records what services enqueue; validates each email against the real job schema (so a producer
 * cannot drift from what the templates read) and de-duplicates by job id like the real queues.
 */
export function createRecordingEmailQueue(): RecordingEmailQueue {
  const sent: EmailRequest[] = [];
  return {
    sent,
    async enqueue(email) {
      validateEmailRequest(email);
      if (!sent.some((e) => e.jobId === email.jobId)) sent.push(email);
      return { jobId: email.jobId };
    },
    async close() {},
  };
}
