// The delivery ledger: one row per email the SMTP server accepted, keyed by the job (= event) id.
// A job retried after a worker crash finds its row and is not sent again.
import { Schema, type Connection, type Model } from 'mongoose';
import './deadline.plugin';

export interface EmailDeliveryDoc {
  _id: string;
  kind: string;
  messageId: string;
  sentAt: Date;
  expiresAt: Date;
}

const emailDeliverySchema = new Schema<EmailDeliveryDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    messageId: { type: String, required: true },
    sentAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'email_deliveries' },
);

// Kept as long as a re-publish of the same event is possible (the outbox retention).
emailDeliverySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type EmailDeliveryModel = Model<EmailDeliveryDoc>;

/** The EmailDelivery model on `connection`, compiled once per connection. */
export function emailDeliveryModel(connection: Connection): EmailDeliveryModel {
  return (
    (connection.models.EmailDelivery as EmailDeliveryModel | undefined) ?? connection.model<EmailDeliveryDoc>('EmailDelivery', emailDeliverySchema)
  );
}
