// The one idempotency store: (principal, scope, key) → request fingerprint + state. A record is
// created `in_progress` before the work runs and `completed` with the response after it; a TTL
// index removes it after IDEMPOTENCY_TTL_SECONDS.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const IDEMPOTENCY_STATES = ['in_progress', 'completed'] as const;

const idempotencyKeySchema = new Schema(
  {
    /** The account id of the caller (`anonymous` on public routes). */
    principal: { type: String, required: true },
    key: { type: String, required: true, maxlength: 255 },
    /** The route template, e.g. `POST /api/v1/orders`. */
    scope: { type: String, required: true },
    requestHash: { type: String, required: true },
    state: { type: String, enum: IDEMPOTENCY_STATES, required: true },
    /** An in-progress record whose worker died is taken over once its lease has passed. */
    leaseUntil: { type: Date, required: true },
    responseStatus: { type: Number },
    responseBody: { type: Schema.Types.Mixed },
    responseHeaders: { type: Schema.Types.Mixed },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

idempotencyKeySchema.index({ principal: 1, scope: 1, key: 1 }, { unique: true });
// The TTL monitor deletes within about a minute of expiresAt; readers also check expiresAt.
idempotencyKeySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type IdempotencyKeyDoc = InferSchemaType<typeof idempotencyKeySchema>;
export type IdempotencyKeyModel = Model<IdempotencyKeyDoc>;

/** The IdempotencyKey model on `connection`, compiled once per connection. */
export function idempotencyKeyModel(connection: Connection): IdempotencyKeyModel {
  return (
    (connection.models.IdempotencyKey as IdempotencyKeyModel | undefined) ??
    connection.model<IdempotencyKeyDoc>('IdempotencyKey', idempotencyKeySchema)
  );
}
