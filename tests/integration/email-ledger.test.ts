// The delivery ledger (issue 16 item 6): a job retried after its email was sent — a worker killed
// before the job completed, a lapsed job lock — finds its row and is not sent again.
import type { Mailer, OutgoingEmail } from '../../src/jobs/email/mailer';
import { createEmailProcessor } from '../../src/jobs/email/processor';
import { EmailDelivery } from '../support/models';
import { createDeliveryLedger, type DeliveryLedger } from '../../src/repositories/delivery.repository';
import { testConfig } from '../support/app';
import { useTestDatabase } from '../support/db';

function recordingMailer(failFirst = 0): Mailer & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  let failures = 0;
  return {
    sent,
    async send(email) {
      if (failures < failFirst) {
        failures += 1;
        throw new Error('451 try again later');
      }
      sent.push(email);
      return { messageId: `<${sent.length}@sink>` };
    },
    async close() {},
  };
}

const job = (jobId: string, attempt = 1) => ({ jobId, data: { kind: 'order-confirmation', to: 'ada@example.com', data: { orderId: 'o1', total: 3 } }, attempt, attempts: 5 });

describe('email delivery ledger', () => {
  useTestDatabase();
  const config = testConfig();
  const ledger = createDeliveryLedger(EmailDelivery);

  it('when a job that was already sent runs again, then the mailer is not called and the first message id is returned', async () => {
    const mailer = recordingMailer();
    const process = createEmailProcessor({ mailer, config, ledger });
    const first = await process(job('order-placed:ledger-1'));
    const second = await process(job('order-placed:ledger-1', 2));
    expect(mailer.sent).toHaveLength(1);
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    expect(await EmailDelivery.findById('order-placed:ledger-1').lean()).toMatchObject({ kind: 'order-confirmation', messageId: first.messageId });
  });

  it('when the send fails, then nothing is recorded and the retry sends', async () => {
    const mailer = recordingMailer(1);
    const process = createEmailProcessor({ mailer, config, ledger });
    await expect(process(job('order-placed:ledger-2'))).rejects.toThrow('451');
    expect(await EmailDelivery.countDocuments({ _id: 'order-placed:ledger-2' })).toBe(0);
    await process(job('order-placed:ledger-2', 2));
    expect(mailer.sent).toHaveLength(1);
  });

  it('when the ledger cannot be read, then the attempt fails before sending (retried later, never sent blind)', async () => {
    const mailer = recordingMailer();
    const down: DeliveryLedger = { sentMessageId: async () => Promise.reject(new Error('MongoDB unreachable')), recordSent: async () => undefined };
    await expect(createEmailProcessor({ mailer, config, ledger: down })(job('order-placed:ledger-3'))).rejects.toThrow('MongoDB unreachable');
    expect(mailer.sent).toHaveLength(0);
  });

  it('when the ledger cannot be written after the send, then the job still succeeds (a retry now would be a certain duplicate)', async () => {
    const mailer = recordingMailer();
    const readOnly: DeliveryLedger = { sentMessageId: async () => null, recordSent: async () => Promise.reject(new Error('write failed')) };
    await expect(createEmailProcessor({ mailer, config, ledger: readOnly })(job('order-placed:ledger-4'))).resolves.toMatchObject({ messageId: '<1@sink>' });
    expect(mailer.sent).toHaveLength(1);
  });

  it('when 20 attempts of one job run at once (two workers after a lapsed lock), then each finds the same single ledger row', async () => {
    const mailer = recordingMailer();
    const process = createEmailProcessor({ mailer, config, ledger });
    await process(job('order-placed:ledger-5'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => process(job('order-placed:ledger-5', i + 2))));
    expect(mailer.sent).toHaveLength(1);
    expect(await EmailDelivery.countDocuments({ _id: 'order-placed:ledger-5' })).toBe(1);
  });
});
