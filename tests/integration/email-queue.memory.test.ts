// The in-memory fallback passes the shared EmailQueue behaviour suite.
import { createEmailProcessor } from '../../src/jobs/email/processor';
import { createMailer } from '../../src/jobs/email/mailer';
import { createMemoryEmailQueue } from '../../src/jobs/email/memory-queue';
import { emailQueueBehaviour } from './email-queue.behaviour';

emailQueueBehaviour('in-memory fallback', async (config) => {
  const mailer = createMailer(config);
  const queue = createMemoryEmailQueue({ config, process: createEmailProcessor({ mailer, config }) });
  return {
    queue,
    async close() {
      await queue.close();
      await mailer.close();
    },
  };
});
