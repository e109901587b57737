// Provider webhook events already processed: the unique event id makes each one take effect once,
// however often the provider (or an attacker replaying a captured request) delivers it.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const webhookEventSchema = new Schema(
  {
    provider: { type: String, required: true, maxlength: 20 },
    eventId: { type: String, required: true, maxlength: 255 },
    type: { type: String, required: true, maxlength: 100 },
    orderId: { type: Schema.Types.ObjectId, default: null },
    /** What processing did (`applied:paid`, `ignored:stale`, `refunded-after-cancel`…), for support. */
    outcome: { type: String, maxlength: 200 },
    receivedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

webhookEventSchema.index({ provider: 1, eventId: 1 }, { unique: true });
// Stripe retries for up to three days and signatures older than the tolerance are refused anyway,
// so 30 days of memory covers every legitimate redelivery.
webhookEventSchema.index({ receivedAt: 1 }, { expireAfterSeconds: 30 * 24 * 3600 });

export type WebhookEventDoc = InferSchemaType<typeof webhookEventSchema>;
export type WebhookEventModel = Model<WebhookEventDoc>;

/** The WebhookEvent model on `connection`, compiled once per connection. */
export function webhookEventModel(connection: Connection): WebhookEventModel {
  return (connection.models.WebhookEvent as WebhookEventModel | undefined) ?? connection.model<WebhookEventDoc>('WebhookEvent', webhookEventSchema);
}
