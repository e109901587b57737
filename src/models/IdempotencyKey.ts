// Remembered responses for Idempotency-Key retries: (account, key) → request hash + the response
// that was sent. A TTL index removes them after IDEMPOTENCY_TTL_SECONDS.
import './deadline.plugin';
import mongoose, { Schema, type InferSchemaType, type Model } from 'mongoose';

const idempotencyKeySchema = new Schema(
  {
    account: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true, maxlength: 255 },
    scope: { type: String, required: true },
    requestHash: { type: String, required: true },
    responseStatus: { type: Number, required: true },
    responseBody: { type: Schema.Types.Mixed, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

idempotencyKeySchema.index({ account: 1, scope: 1, key: 1 }, { unique: true });
// The TTL monitor deletes within about a minute of expiresAt; readers also check expiresAt.
idempotencyKeySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type IdempotencyKeyDoc = InferSchemaType<typeof idempotencyKeySchema>;
export type IdempotencyKeyModel = Model<IdempotencyKeyDoc>;

export const IdempotencyKey: IdempotencyKeyModel =
  (mongoose.models.IdempotencyKey as IdempotencyKeyModel | undefined) ??
  mongoose.model<IdempotencyKeyDoc>('IdempotencyKey', idempotencyKeySchema);
