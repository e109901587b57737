// Single-use password reset tokens, stored as SHA-256 hashes and removed by a TTL index.
import './deadline.plugin';
import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface PasswordResetTokenAttrs {
  tokenHash: string;
  account: Types.ObjectId;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

export type PasswordResetTokenModel = Model<PasswordResetTokenAttrs>;

const schema = new Schema<PasswordResetTokenAttrs>(
  {
    tokenHash: { type: String, required: true },
    account: { type: Schema.Types.ObjectId, ref: 'Account', required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

schema.index({ tokenHash: 1 }, { unique: true });
schema.index({ account: 1 });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export function passwordResetTokenModel(connection: Connection): PasswordResetTokenModel {
  return (
    (connection.models.PasswordResetToken as PasswordResetTokenModel | undefined) ??
    connection.model<PasswordResetTokenAttrs>('PasswordResetToken', schema)
  );
}
