// Account: identity, credentials, role, lockout state and a small embedded address book.
// The model is built per connection with the password hasher it must use in its pre-save hook.
import './deadline.plugin';
import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { ROLES, type Role } from '../utils/roles';

export const ACCOUNT_STATUSES = ['active', 'locked', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
/** Addresses are embedded: always read with the account, few, and owned by it alone. */
export const MAX_ADDRESSES = 5;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface Address {
  label?: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
  isDefault?: boolean;
}

export interface AccountAttrs {
  firstName: string;
  lastName: string;
  email: string;
  password: string;
  role: Role;
  status: AccountStatus;
  failedLoginAttempts: number;
  lockUntil: Date | null;
  lastLoginAt: Date | null;
  addresses: Types.DocumentArray<Address & { _id: Types.ObjectId }>;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type AccountDocument = HydratedDocument<AccountAttrs>;
export type AccountModel = Model<AccountAttrs>;

const collapseWhitespace = (value: unknown) => (typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : value);

const addressSchema = new Schema<Address>(
  {
    label: { type: String, trim: true, maxlength: 40 },
    line1: { type: String, required: true, trim: true, maxlength: 120 },
    line2: { type: String, trim: true, maxlength: 120 },
    city: { type: String, required: true, trim: true, maxlength: 80 },
    region: { type: String, trim: true, maxlength: 80 },
    postalCode: { type: String, required: true, trim: true, maxlength: 20 },
    country: { type: String, required: true, uppercase: true, match: /^[A-Z]{2}$/ },
    isDefault: { type: Boolean, default: false },
  },
  { _id: true },
);

function stripInternals(_doc: unknown, ret: Record<string, unknown>): Record<string, unknown> {
  ret.id = String(ret._id);
  delete ret._id;
  delete ret.__v;
  delete ret.password;
  delete ret.failedLoginAttempts;
  delete ret.lockUntil;
  return ret;
}

export function buildAccountSchema(hashPassword: (plain: string) => Promise<string>): Schema<AccountAttrs> {
  const schema = new Schema<AccountAttrs>(
    {
      firstName: { type: String, required: true, set: collapseWhitespace, minlength: 1, maxlength: 60 },
      lastName: { type: String, required: true, set: collapseWhitespace, minlength: 1, maxlength: 60 },
      // Lower-cased on write, so the unique index is case-insensitive by construction.
      email: { type: String, required: true, trim: true, lowercase: true, maxlength: 254, match: EMAIL_PATTERN },
      password: { type: String, required: true, select: false },
      role: { type: String, enum: ROLES, default: 'customer' },
      status: { type: String, enum: ACCOUNT_STATUSES, default: 'active' },
      failedLoginAttempts: { type: Number, default: 0, min: 0 },
      lockUntil: { type: Date, default: null },
      lastLoginAt: { type: Date, default: null },
      addresses: {
        type: [addressSchema],
        default: [],
        validate: { validator: (list: unknown[]) => list.length <= MAX_ADDRESSES, message: `At most ${MAX_ADDRESSES} addresses` },
      },
      deletedAt: { type: Date, default: null },
    },
    {
      timestamps: true,
      toJSON: { virtuals: true, versionKey: false, transform: stripInternals },
      toObject: { virtuals: true },
    },
  );

  schema.virtual('fullName').get(function fullName(this: AccountAttrs) {
    return `${this.firstName} ${this.lastName}`;
  });

  // Hash only when the password changed, so saving a profile edit never double-hashes.
  schema.pre('save', async function hashPasswordOnChange() {
    if (this.isModified('password')) this.password = await hashPassword(this.password);
  });

  // Soft-deleted accounts keep their row, so their email stays reserved.
  schema.index({ email: 1 }, { unique: true });
  schema.index({ role: 1, createdAt: -1 });
  return schema;
}

/** The Account model on `connection`, compiled on first use with the given hasher. */
export function accountModel(connection: Connection, hashPassword: (plain: string) => Promise<string>): AccountModel {
  return (connection.models.Account as AccountModel | undefined) ?? connection.model<AccountAttrs>('Account', buildAccountSchema(hashPassword));
}
