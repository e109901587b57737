// Registration, login (with lockout and timing equalisation), logout and the caller's own account.
import type { Outbox } from '../outbox/outbox.service';
import type { Address } from '../../models/Account';
import type { AccountRepository, AccountView } from '../../repositories/account.repository';
import { DuplicateKeyError } from '../../repositories/errors';
import { ConflictError, LockedError, NotFoundError, UnauthorizedError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import type { PasswordHasher } from './password';
import type { ClientInfo, SessionService, TokenPair } from './session';

export interface RegisterInput {
  firstName: string;
  lastName: string;
  email: string;
  password: string;
  addresses?: Address[];
}

export interface AuthResult {
  account: AccountView;
  tokens: TokenPair;
}

export interface AuthServiceDeps {
  readonly accounts: Pick<AccountRepository, 'create' | 'findById' | 'findByEmailWithPassword' | 'recordFailedLogin' | 'recordSuccessfulLogin'>;
  readonly sessions: Pick<SessionService, 'issue' | 'revokeFamilyOf' | 'revokeAll'>;
  readonly hasher: Pick<PasswordHasher, 'verify' | 'verifyDummy'>;
  /** Registration records `account-registered` (the welcome email) in the account's transaction. */
  readonly outbox: Pick<Outbox, 'withEvents'>;
  readonly policy: { readonly maxFailedLogins: number; readonly lockoutSeconds: number };
  readonly now?: () => Date;
}

// One message and code for unknown email and wrong password, so the response does not tell them apart.
const invalidCredentials = () => new UnauthorizedError('Email or password is incorrect', 'INVALID_CREDENTIALS');

export function createAuthService(deps: AuthServiceDeps) {
  const { accounts, sessions, hasher, policy } = deps;
  const now = deps.now ?? (() => new Date());

  function lockedError(lockUntil: Date | null, at: Date): LockedError {
    const retryAfter = lockUntil ? Math.max(1, Math.ceil((lockUntil.getTime() - at.getTime()) / 1000)) : undefined;
    return new LockedError('Account is locked after too many failed sign-in attempts; try again later', 'ACCOUNT_LOCKED', retryAfter);
  }

  return {
    async register(input: RegisterInput, client: ClientInfo): Promise<AuthResult> {
      let account: AccountView;
      try {
        // The role is never taken from input: every self-registered account is a customer.
        account = await deps.outbox.withEvents(async ({ session, emit }) => {
          const created = await accounts.create({ ...input, role: 'customer' }, session);
          emit({ id: `account-registered:${created.id}`, type: 'account-registered', aggregateId: `account:${created.id}`, payload: { to: created.email, name: created.firstName } });
          return created;
        });
      } catch (err) {
        if (err instanceof DuplicateKeyError && err.fields.includes('email')) {
          throw new ConflictError('An account with this email already exists', 'EMAIL_TAKEN', { cause: err });
        }
        throw err;
      }
      const tokens = await sessions.issue({ id: account.id, role: account.role }, client);
      logger.info('account registered', { accountId: account.id });
      return { account, tokens };
    },

    async login(email: string, password: string, client: ClientInfo): Promise<AuthResult> {
      const credentials = await accounts.findByEmailWithPassword(email);
      if (!credentials) {
        await hasher.verifyDummy(password);
        throw invalidCredentials();
      }
      const at = now();
      const isLocked = credentials.status === 'locked' && (!credentials.lockUntil || credentials.lockUntil > at);
      if (isLocked) throw lockedError(credentials.lockUntil, at);

      const matches = await hasher.verify(credentials.passwordHash, password);
      if (!matches) {
        if (credentials.status !== 'disabled') {
          const lockUntil = new Date(at.getTime() + policy.lockoutSeconds * 1000);
          const { locked } = await accounts.recordFailedLogin(credentials.id, policy.maxFailedLogins, lockUntil);
          if (locked) logger.warn('account locked after repeated failed logins', { accountId: credentials.id, lockUntil });
        }
        throw invalidCredentials();
      }
      if (credentials.status === 'disabled') throw new UnauthorizedError('Account is not active', 'ACCOUNT_INACTIVE');

      await accounts.recordSuccessfulLogin(credentials.id, at);
      const account = await accounts.findById(credentials.id);
      if (!account) throw invalidCredentials(); // deleted between the two reads
      const tokens = await sessions.issue({ id: account.id, role: account.role }, client);
      return { account, tokens };
    },

    logout: (refreshToken: string) => sessions.revokeFamilyOf(refreshToken),

    async logoutAll(accountId: string): Promise<void> {
      const revoked = await sessions.revokeAll(accountId);
      logger.info('all sessions revoked', { accountId, revoked });
    },

    async me(accountId: string): Promise<AccountView> {
      const account = await accounts.findById(accountId);
      if (!account) throw new NotFoundError('Account not found', 'ACCOUNT_NOT_FOUND');
      return account;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
