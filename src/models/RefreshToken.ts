// Refresh tokens: only the SHA-256 of the opaque value is stored. Tokens issued by rotation share
// a family id, so a replayed (already rotated) token can revoke everything descended from it.
import './deadline.plugin';
import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface RefreshTokenAttrs {
  tokenHash: string;
  account: Types.ObjectId;
  family: string;
  expiresAt: Date;
  revokedAt: Date | null;
  replacedBy: Types.ObjectId | null;
  userAgent?: string;
  ip?: string;
  createdAt: Date;
}

export type RefreshTokenModel = Model<RefreshTokenAttrs>;

const schema = new Schema<RefreshTokenAttrs>(
  {
    tokenHash: { type: String, required: true },
    account: { type: Schema.Types.ObjectId, ref: 'Account', required: true },
    family: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    replacedBy: { type: Schema.Types.ObjectId, default: null },
    userAgent: { type: String, maxlength: 256 },
    ip: { type: String, maxlength: 64 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

schema.index({ tokenHash: 1 }, { unique: true });
schema.index({ family: 1 });
schema.index({ account: 1 });
// MongoDB deletes each token once it expires: expired rows are useless, even for reuse detection.
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export function refreshTokenModel(connection: Connection): RefreshTokenModel {
  return (connection.models.RefreshToken as RefreshTokenModel | undefined) ?? connection.model<RefreshTokenAttrs>('RefreshToken', schema);
}
