// Fakes passed by argument (no module mocking of our own code).
import type { EmailQueue, EmailRequest } from '../../src/jobs/email.types';

export interface RecordingEmailQueue extends EmailQueue {
  readonly sent: EmailRequest[];
}

/** Records what services enqueue; de-duplicates by job id like the real queues. */
export function createRecordingEmailQueue(): RecordingEmailQueue {
  const sent: EmailRequest[] = [];
  return {
    sent,
    async enqueue(email) {
      if (!sent.some((e) => e.jobId === email.jobId)) sent.push(email);
      return { jobId: email.jobId };
    },
    async close() {},
  };
}
