// Account administration and the per-request principal lookup. Who may do what to an account is
// decided here, so every route that touches accounts applies the same rules.
import type { Principal, Role } from '../utils/roles';
import type { AccountStatus, Address } from '../models/Account';
import { Types } from 'mongoose';
import type { AccountChanges, AccountFilter, AccountRepository, AccountView, PrincipalRecord } from '../repositories/account.repository';
import { ForbiddenError, NotFoundError } from '../utils/errors';
import { logger } from '../utils/logger';
import type { SessionService } from './auth/session';
import { fetchPage, planList, type PageMeta, type PageQuery, type SortSpec } from './listing/listing';

/** The account sort whitelist for the shared listing grammar. */
export const ACCOUNT_SORT: SortSpec = {
  defaultSort: 'createdAt:desc',
  fields: {
    createdAt: { storage: 'createdAt', type: 'date' },
    email: { storage: 'email', type: 'string', defaultDirection: 1 },
    lastName: { storage: 'lastName', type: 'string', defaultDirection: 1 },
  },
};

export interface AccountListQuery extends PageQuery {
  readonly role?: Role;
  readonly status?: AccountStatus;
  /** Email prefix, case-insensitive. */
  readonly email?: string;
  readonly includeDeleted?: boolean;
}

export interface AccountPatch {
  firstName?: string;
  lastName?: string;
  addresses?: Address[];
  role?: Role;
  status?: AccountStatus;
}

export interface AccountServiceDeps {
  readonly accounts: Pick<AccountRepository, 'findById' | 'findPrincipal' | 'findPage' | 'count' | 'update' | 'delete' | 'restore'>;
  readonly sessions: Pick<SessionService, 'revokeAll'>;
  /** Key for the cursor HMAC. */
  readonly cursorSecret: string;
  readonly now?: () => Date;
}

const notFound = () => new NotFoundError('Account not found', 'ACCOUNT_NOT_FOUND');

/**
 * Deleted, disabled and admin-locked accounts cannot act, whatever their token says. A lockout after
 * failed logins (status locked *with* a lockUntil) blocks new password logins only: the owner's
 * existing sessions keep working, or anyone who knows an email could sign its owner out at will.
 * An admin lock has no end (lockUntil null) and does stop every session.
 */
export function isActive(record: PrincipalRecord): boolean {
  if (record.deletedAt) return false;
  if (record.status === 'disabled') return false;
  if (record.status === 'locked') return record.lockUntil !== null;
  return true;
}

export function canReadAccount(actor: Principal, accountId: string): boolean {
  return actor.role === 'admin' || actor.id === accountId;
}

/** Throws unless `actor` may apply `patch` to `accountId`. */
export function assertMayUpdate(actor: Principal, accountId: string, patch: AccountPatch): void {
  const isSelf = actor.id === accountId;
  const touchesAdminFields = patch.role !== undefined || patch.status !== undefined;
  if (actor.role !== 'admin') {
    if (!isSelf) throw new ForbiddenError('You may only change your own account');
    if (touchesAdminFields) throw new ForbiddenError('Only an admin may change role or status', 'ACCOUNT_FIELD_FORBIDDEN');
    return;
  }
  // An admin demoting or disabling themselves could leave nobody able to administer accounts.
  if (isSelf && touchesAdminFields) throw new ForbiddenError('Admins cannot change their own role or status', 'SELF_ADMINISTRATION_FORBIDDEN');
}

export function createAccountService(deps: AccountServiceDeps) {
  const { accounts, sessions } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async loadPrincipal(accountId: string): Promise<Principal | null> {
      const record = await accounts.findPrincipal(accountId);
      if (!record || !isActive(record)) return null;
      return { id: record.id, role: record.role };
    },

    async list(query: AccountListQuery): Promise<{ data: AccountView[]; meta: PageMeta }> {
      const plan = planList(query, ACCOUNT_SORT, deps.cursorSecret);
      const filter: AccountFilter = { role: query.role, status: query.status, emailPrefix: query.email, includeDeleted: query.includeDeleted };
      const { rows, meta } = await fetchPage(plan, ACCOUNT_SORT, deps.cursorSecret, {
        fetch: (skip, limit) => accounts.findPage({ filter, sort: plan.sort as Record<string, 1 | -1>, after: plan.after, skip, limit }),
        count: () => accounts.count(filter),
        // Views name the id `id`; the other sort fields keep their stored names.
        keysOf: (row, terms) => terms.map((t) => (t.field === '_id' ? new Types.ObjectId(row.id) : row[t.field as 'createdAt' | 'email' | 'lastName'])),
      });
      return { data: rows, meta };
    },

    async get(actor: Principal, accountId: string): Promise<AccountView> {
      if (!canReadAccount(actor, accountId)) throw new ForbiddenError('You may only read your own account');
      const account = await accounts.findById(accountId);
      if (!account) throw notFound();
      return account;
    },

    async update(actor: Principal, accountId: string, patch: AccountPatch): Promise<AccountView> {
      assertMayUpdate(actor, accountId, patch);
      const changes: AccountChanges = { ...patch };
      // Re-activating clears the lockout state that led to the lock.
      if (patch.status === 'active') Object.assign(changes, { lockUntil: null, failedLoginAttempts: 0 });
      // An admin lock lasts until an admin lifts it (and, unlike a login lockout, stops sessions).
      if (patch.status === 'locked') Object.assign(changes, { lockUntil: null });
      const account = await accounts.update(accountId, changes);
      if (!account) throw notFound();
      if (patch.status === 'disabled' || patch.status === 'locked') await sessions.revokeAll(accountId);
      if (patch.role || patch.status) logger.info('account administered', { accountId, by: actor.id, role: patch.role, status: patch.status });
      return account;
    },

    async remove(actor: Principal, accountId: string): Promise<void> {
      if (actor.id === accountId) throw new ForbiddenError('Admins cannot delete their own account', 'SELF_ADMINISTRATION_FORBIDDEN');
      const deleted = await accounts.delete(accountId, now());
      if (!deleted) throw notFound();
      await sessions.revokeAll(accountId);
      logger.info('account deleted', { accountId, by: actor.id });
    },

    async restore(actor: Principal, accountId: string): Promise<AccountView> {
      const account = await accounts.restore(accountId);
      if (!account) throw new NotFoundError('No deleted account with this id', 'ACCOUNT_NOT_FOUND');
      logger.info('account restored', { accountId, by: actor.id });
      return account;
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
