// The email delivery ledger (EmailDelivery): which job ids the SMTP server already accepted.
import type { EmailDeliveryModel } from '../models/EmailDelivery';

export interface DeliveryLedger {
  /** The SMTP message id of a job already sent, or null. */
  sentMessageId(jobId: string): Promise<string | null>;
  /** Idempotent: recording the same job twice keeps the first row. */
  recordSent(entry: { jobId: string; kind: string; messageId: string; sentAt: Date; expiresAt: Date }): Promise<void>;
}

export function createDeliveryLedger(model: EmailDeliveryModel): DeliveryLedger {
  return {
    async sentMessageId(jobId) {
      const row = await model.findById(jobId).select({ messageId: 1 }).lean<{ messageId: string } | null>();
      return row?.messageId ?? null;
    },
    async recordSent({ jobId, ...row }) {
      await model.updateOne({ _id: jobId }, { $setOnInsert: row }, { upsert: true });
    },
  };
}
