// Payment intents of the simulated provider (development and tests only): the provider's own
// records, shaped like Stripe's, kept apart from orders exactly as Stripe's are.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const simulatedRefundSchema = new Schema(
  {
    refundId: { type: String, required: true },
    amountMinor: { type: Number, required: true, min: 1 },
    idempotencyKey: { type: String, required: true },
    at: { type: Date, required: true },
    reason: { type: String },
    // Made in the "dashboard" (not through the API): listed without our key, as Stripe lists such a refund without our metadata.
    viaDashboard: { type: Boolean },
  },
  { _id: false },
);

const simulatedPaymentIntentSchema = new Schema(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    amountMinor: { type: Number, required: true, min: 1 },
    currency: { type: String, required: true },
    status: { type: String, required: true, enum: ['requires_payment_method', 'succeeded', 'canceled'] },
    clientSecret: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    lastFailure: { type: String, default: null },
    amountRefundedMinor: { type: Number, default: 0, min: 0 },
    refunds: { type: [simulatedRefundSchema], default: [] },
  },
  { timestamps: true, versionKey: false },
);

// Like Stripe's idempotency keys: the same key returns the intent it created the first time.
simulatedPaymentIntentSchema.index({ idempotencyKey: 1 }, { unique: true });

export type SimulatedPaymentIntentDoc = InferSchemaType<typeof simulatedPaymentIntentSchema>;
export type SimulatedPaymentIntentModel = Model<SimulatedPaymentIntentDoc>;

/** The SimulatedPaymentIntent model on `connection`, compiled once per connection. */
export function simulatedPaymentIntentModel(connection: Connection): SimulatedPaymentIntentModel {
  return (
    (connection.models.SimulatedPaymentIntent as SimulatedPaymentIntentModel | undefined) ??
    connection.model<SimulatedPaymentIntentDoc>('SimulatedPaymentIntent', simulatedPaymentIntentSchema)
  );
}
