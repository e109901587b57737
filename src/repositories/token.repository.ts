// Refresh and password-reset token rows. Callers pass hashes, never raw token values.
import { rethrowDuplicateKey } from './errors';
import { Types, type Connection } from 'mongoose';
import { passwordResetTokenModel } from '../models/PasswordResetToken';
import { refreshTokenModel } from '../models/RefreshToken';

export interface RefreshTokenRecord {
  id: string;
  accountId: string;
  family: string;
  expiresAt: Date;
  revokedAt: Date | null;
  /** Set when the token was rotated (used), as opposed to revoked by logout or reuse. */
  replacedBy: string | null;
}

export interface NewRefreshToken {
  id?: string;
  tokenHash: string;
  accountId: string;
  family: string;
  expiresAt: Date;
  userAgent?: string;
  ip?: string;
}

interface LeanRefresh {
  _id: Types.ObjectId;
  account: Types.ObjectId;
  family: string;
  expiresAt: Date;
  revokedAt: Date | null;
  replacedBy?: Types.ObjectId | null;
}

const toRecord = (doc: LeanRefresh): RefreshTokenRecord => ({
  id: String(doc._id),
  accountId: String(doc.account),
  family: doc.family,
  expiresAt: doc.expiresAt,
  revokedAt: doc.revokedAt ?? null,
  replacedBy: doc.replacedBy ? String(doc.replacedBy) : null,
});

export function createRefreshTokenRepository(connection: Connection) {
  const RefreshToken = refreshTokenModel(connection);
  return {
    newId: () => new Types.ObjectId().toString(),

    async create(input: NewRefreshToken): Promise<void> {
      await RefreshToken.create({
        _id: input.id ?? new Types.ObjectId(),
        tokenHash: input.tokenHash,
        account: input.accountId,
        family: input.family,
        expiresAt: input.expiresAt,
        userAgent: input.userAgent?.slice(0, 256),
        ip: input.ip?.slice(0, 64),
      }).catch(rethrowDuplicateKey);
    },

    /**
     * Marks a live token as used in one conditional write, so of two concurrent refreshes with the
     * same token exactly one wins. Null when the token is unknown, expired or already revoked.
     */
    async consume(tokenHash: string, replacedBy: string, now: Date): Promise<RefreshTokenRecord | null> {
      const doc = await RefreshToken.findOneAndUpdate(
        { tokenHash, revokedAt: null, expiresAt: { $gt: now } },
        { $set: { revokedAt: now, replacedBy: new Types.ObjectId(replacedBy) } },
        { returnDocument: 'after' },
      ).lean<LeanRefresh>();
      return doc ? toRecord(doc) : null;
    },

    async findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
      const doc = await RefreshToken.findOne({ tokenHash }).setOptions({ sanitizeFilter: true }).lean<LeanRefresh>();
      return doc ? toRecord(doc) : null;
    },

    async revokeFamily(family: string, now: Date): Promise<number> {
      const res = await RefreshToken.updateMany({ family, revokedAt: null }, { $set: { revokedAt: now } });
      return res.modifiedCount;
    },

    async revokeAllForAccount(accountId: string, now: Date): Promise<number> {
      const res = await RefreshToken.updateMany({ account: accountId, revokedAt: null }, { $set: { revokedAt: now } });
      return res.modifiedCount;
    },

    async countActive(accountId: string, now: Date): Promise<number> {
      return RefreshToken.countDocuments({ account: accountId, revokedAt: null, expiresAt: { $gt: now } });
    },
  };
}

export type RefreshTokenRepository = ReturnType<typeof createRefreshTokenRepository>;

export function createPasswordResetTokenRepository(connection: Connection) {
  const ResetToken = passwordResetTokenModel(connection);
  return {
    async create(input: { tokenHash: string; accountId: string; expiresAt: Date }): Promise<{ id: string }> {
      const doc = await ResetToken.create({ tokenHash: input.tokenHash, account: input.accountId, expiresAt: input.expiresAt }).catch(rethrowDuplicateKey);
      return { id: String(doc._id) };
    },

    /** Uses a live token once (conditional write); returns its account id, or null. */
    async consume(tokenHash: string, now: Date): Promise<{ accountId: string } | null> {
      const doc = await ResetToken.findOneAndUpdate(
        { tokenHash, usedAt: null, expiresAt: { $gt: now } },
        { $set: { usedAt: now } },
        { returnDocument: 'after' },
      ).lean<{ account: Types.ObjectId }>();
      return doc ? { accountId: String(doc.account) } : null;
    },

    /** A new reset request or a completed reset voids the account's other outstanding tokens. */
    async invalidateForAccount(accountId: string, now: Date): Promise<void> {
      await ResetToken.updateMany({ account: accountId, usedAt: null }, { $set: { usedAt: now } });
    },
  };
}

export type PasswordResetTokenRepository = ReturnType<typeof createPasswordResetTokenRepository>;
