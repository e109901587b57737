// The only code that touches the Account model. Reads are lean and return plain typed objects.
import { isValidObjectId, type ClientSession, type Connection, type QueryFilter, Types } from 'mongoose';
import { accountModel, type AccountAttrs, type AccountStatus, type Address } from '../models/Account';
import type { Role } from '../utils/roles';
import { rethrowDuplicateKey } from './errors';
import { countMatching, readMany, readOne } from './lean';

export interface AccountView {
  id: string;
  firstName: string;
  lastName: string;
  fullName: string;
  email: string;
  role: Role;
  status: AccountStatus;
  addresses: (Address & { id: string })[];
  lastLoginAt: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AccountCredentials {
  id: string;
  email: string;
  firstName: string;
  role: Role;
  status: AccountStatus;
  passwordHash: string;
  lockUntil: Date | null;
}

export interface PrincipalRecord {
  id: string;
  role: Role;
  status: AccountStatus;
  lockUntil: Date | null;
  deletedAt: Date | null;
}

export interface NewAccount {
  /** Chosen id (fixtures and seeds); generated when absent. */
  id?: string;
  firstName: string;
  lastName: string;
  email: string;
  password: string;
  role?: Role;
  addresses?: Address[];
}

export type AccountChanges = Partial<Pick<AccountAttrs, 'firstName' | 'lastName' | 'role' | 'status' | 'lockUntil' | 'failedLoginAttempts'>> & {
  addresses?: Address[];
};

export interface AccountFilter {
  role?: Role;
  status?: AccountStatus;
  emailPrefix?: string;
  includeDeleted?: boolean;
}

export interface MailableAccount {
  readonly id: string;
  readonly email: string;
  readonly firstName: string;
}

/** One page in storage terms: sort, keyset condition and window come from the listing toolkit. */
export interface AccountPageInput {
  readonly filter: AccountFilter;
  readonly sort: Record<string, 1 | -1>;
  readonly after: Record<string, unknown> | null;
  readonly skip: number;
  readonly limit: number;
}

type LeanAccount = Omit<AccountAttrs, 'addresses'> & { _id: Types.ObjectId; addresses?: (Address & { _id: Types.ObjectId })[] };

const PUBLIC_FIELDS = '-password -failedLoginAttempts -lockUntil -__v';
/** The same projection for the driver's reads (`readOne`/`readMany`). */
const PUBLIC_PROJECTION = { password: 0, failedLoginAttempts: 0, lockUntil: 0, __v: 0 };

function toView(doc: LeanAccount): AccountView {
  return {
    id: String(doc._id),
    firstName: doc.firstName,
    lastName: doc.lastName,
    fullName: `${doc.firstName} ${doc.lastName}`,
    email: doc.email,
    role: doc.role,
    status: doc.status,
    addresses: (doc.addresses ?? []).map(({ _id, ...address }) => ({ id: String(_id), ...address })),
    lastLoginAt: doc.lastLoginAt ?? null,
    deletedAt: doc.deletedAt ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const live = { deletedAt: null };

export function createAccountRepository(connection: Connection, hashPassword: (plain: string) => Promise<string>) {
  const Account = accountModel(connection, hashPassword);

  function listFilter(query: AccountFilter): QueryFilter<AccountAttrs> {
    const filter: QueryFilter<AccountAttrs> = query.includeDeleted ? {} : { ...live };
    if (query.role) filter.role = query.role;
    if (query.status) filter.status = query.status;
    // Anchored and case-folded like the stored value, so the email index serves it.
    if (query.emailPrefix) filter.email = { $regex: `^${escapeRegex(query.emailPrefix.toLowerCase())}` };
    return filter;
  }

  return {
    /** Makes sure the unique indexes exist before the first write relies on them. */
    async init(): Promise<void> {
      await Account.init();
    },

    /** `session`: the caller's transaction (registration records its event in the same one). */
    async create(input: NewAccount, session: ClientSession | null = null): Promise<AccountView> {
      await Account.init();
      const { id, ...fields } = input;
      const doc = new Account({ ...fields, ...(id ? { _id: id } : {}), role: input.role ?? 'customer' });
      await doc.save({ session }).catch(rethrowDuplicateKey);
      return toView(doc.toObject() as unknown as LeanAccount);
    },

    async findById(id: string, options: { includeDeleted?: boolean } = {}): Promise<AccountView | null> {
      if (!isValidObjectId(id)) return null;
      const _id = new Types.ObjectId(id);
      const doc = await readOne<LeanAccount>(Account, options.includeDeleted ? { _id } : { _id, ...live }, PUBLIC_PROJECTION);
      return doc ? toView(doc) : null;
    },

    /** The cheap per-request lookup behind authentication: one indexed read, four fields. */
    async findPrincipal(id: string): Promise<PrincipalRecord | null> {
      if (!isValidObjectId(id)) return null;
      const doc = await readOne<LeanAccount>(Account, { _id: new Types.ObjectId(id) }, { role: 1, status: 1, lockUntil: 1, deletedAt: 1 });
      if (!doc) return null;
      return { id: String(doc._id), role: doc.role, status: doc.status, lockUntil: doc.lockUntil ?? null, deletedAt: doc.deletedAt ?? null };
    },

    /** Live (not soft-deleted) account by email, with the password hash, for login. */
    async findByEmailWithPassword(email: string): Promise<AccountCredentials | null> {
      // sanitizeFilter: defence in depth behind validation — an object here can never act as an operator.
      const doc = await Account.findOne({ email: String(email).trim().toLowerCase(), ...live }, '+password email firstName role status lockUntil')
        .setOptions({ sanitizeFilter: true })
        .lean<LeanAccount>();
      if (!doc) return null;
      return {
        id: String(doc._id),
        email: doc.email,
        firstName: doc.firstName,
        role: doc.role,
        status: doc.status,
        passwordHash: doc.password,
        lockUntil: doc.lockUntil ?? null,
      };
    },

    async findPage(input: AccountPageInput): Promise<AccountView[]> {
      const base = listFilter(input.filter);
      const filter = input.after ? { $and: [base, input.after] } : base;
      const docs = await readMany<LeanAccount>(Account, filter, { projection: PUBLIC_PROJECTION, sort: input.sort, skip: input.skip, limit: input.limit });
      return docs.map(toView);
    },

    count(filter: AccountFilter): Promise<number> {
      return countMatching(Account, listFilter(filter));
    },

    async update(id: string, changes: AccountChanges): Promise<AccountView | null> {
      if (!isValidObjectId(id)) return null;
      const doc = await Account.findOneAndUpdate({ _id: id, ...live }, { $set: changes }, { returnDocument: 'after', runValidators: true, projection: PUBLIC_FIELDS })
        .lean<LeanAccount>()
        .catch(rethrowDuplicateKey);
      return doc ? toView(doc) : null;
    },

    /** Replaces the password through save(), so the pre-save hook hashes it; clears any lockout. */
    async setPassword(id: string, password: string): Promise<boolean> {
      const doc = await Account.findOne({ _id: id, ...live });
      if (!doc) return false;
      doc.password = password;
      doc.failedLoginAttempts = 0;
      doc.lockUntil = null;
      if (doc.status === 'locked') doc.status = 'active';
      await doc.save();
      return true;
    },

    /** Counts a failed login atomically; at `max` failures the account locks until `lockUntil`. */
    async recordFailedLogin(id: string, max: number, lockUntil: Date): Promise<{ locked: boolean }> {
      const doc = await Account.findOneAndUpdate({ _id: id }, { $inc: { failedLoginAttempts: 1 } }, { returnDocument: 'after', projection: { failedLoginAttempts: 1 } }).lean<LeanAccount>();
      if (!doc || doc.failedLoginAttempts < max) return { locked: false };
      // Only the request that crossed the threshold locks; the counter restarts for after the lock.
      const res = await Account.updateOne(
        { _id: id, status: { $ne: 'disabled' }, failedLoginAttempts: { $gte: max } },
        { $set: { status: 'locked', lockUntil, failedLoginAttempts: 0 } },
      );
      return { locked: res.modifiedCount === 1 };
    },

    async recordSuccessfulLogin(id: string, at: Date): Promise<void> {
      await Account.updateOne({ _id: id, status: { $ne: 'disabled' } }, { $set: { lastLoginAt: at, failedLoginAttempts: 0, lockUntil: null, status: 'active' } });
    },

    /** Soft delete: the row (and its email) stays; every read above ignores it. */
    async delete(id: string, at: Date): Promise<boolean> {
      if (!isValidObjectId(id)) return false;
      const res = await Account.updateOne({ _id: id, ...live }, { $set: { deletedAt: at } });
      return res.modifiedCount === 1;
    },

    async restore(id: string): Promise<AccountView | null> {
      if (!isValidObjectId(id)) return null;
      const doc = await Account.findOneAndUpdate({ _id: id, deletedAt: { $ne: null } }, { $set: { deletedAt: null } }, { returnDocument: 'after', projection: PUBLIC_FIELDS }).lean<LeanAccount>();
      return doc ? toView(doc) : null;
    },

    /**
     * Where notification emails go: live, not disabled accounts among `ids`, or with `role`
     * (admins for stock alerts). Id, email and first name only; at most `limit`, in id order after `after`.
     */
    async findMailable(query: { ids?: readonly string[]; role?: Role; after?: string | null; limit: number }): Promise<MailableAccount[]> {
      const filter: QueryFilter<AccountAttrs> = { ...live, status: { $ne: 'disabled' } };
      if (query.ids) filter._id = { $in: query.ids.filter((id) => isValidObjectId(id)) };
      if (query.role) filter.role = query.role;
      if (query.after) filter._id = { ...(filter._id as object), $gt: new Types.ObjectId(query.after) };
      const docs = await Account.find(filter, { email: 1, firstName: 1 }).sort({ _id: 1 }).limit(query.limit).lean<Pick<LeanAccount, '_id' | 'email' | 'firstName'>[]>();
      return docs.map((d) => ({ id: String(d._id), email: d.email, firstName: d.firstName }));
    },

    async existsByEmail(email: string): Promise<boolean> {
      return (await Account.exists({ email: String(email).trim().toLowerCase() }).setOptions({ sanitizeFilter: true })) !== null;
    },
  };
}

export type AccountRepository = ReturnType<typeof createAccountRepository>;
