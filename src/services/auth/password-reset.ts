// Forgotten passwords: a single-use, short-lived token is emailed; using it sets a new password and
// ends every session. The response to a request never reveals whether the email has an account.
import type { AccountRepository } from '../../repositories/account.repository';
import type { PasswordResetTokenRepository } from '../../repositories/token.repository';
import { BadRequestError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import type { Outbox } from '../outbox/outbox.service';
import type { SessionService } from './session';
import { generateOpaqueToken, hashToken } from './session';

export interface PasswordResetServiceDeps {
  readonly accounts: Pick<AccountRepository, 'findByEmailWithPassword' | 'setPassword'>;
  readonly resetTokens: PasswordResetTokenRepository;
  readonly sessions: Pick<SessionService, 'revokeAll'>;
  /** The token, its predecessors' invalidation and the email event commit together. */
  readonly outbox: Pick<Outbox, 'withEvents'>;
  readonly ttlSeconds: number;
  readonly now?: () => Date;
}

export function createPasswordResetService(deps: PasswordResetServiceDeps) {
  const now = deps.now ?? (() => new Date());

  const inFlight = new Set<Promise<void>>();

  async function issueAndEmail(email: string): Promise<void> {
    const account = await deps.accounts.findByEmailWithPassword(email);
    if (!account || account.status === 'disabled') return;
    const at = now();
    await deps.outbox.withEvents(async ({ session, emit }) => {
      await deps.resetTokens.invalidateForAccount(account.id, at, session);
      const token = generateOpaqueToken();
      const expiresAt = new Date(at.getTime() + deps.ttlSeconds * 1000);
      const { id } = await deps.resetTokens.create({ tokenHash: hashToken(token), accountId: account.id, expiresAt }, session);
      emit({
        id: `password-reset-requested:${id}`,
        type: 'password-reset-requested',
        aggregateId: `account:${account.id}`,
        payload: { to: account.email, name: account.firstName, token, expiresInMinutes: Math.max(1, Math.round(deps.ttlSeconds / 60)) },
      });
    });
  }

  return {
    /**
     * Accepts the request and does the work after answering: a known email costs several writes and
     * an event, an unknown one nothing, and waiting for that difference would reveal which it was.
     */
    requestReset(email: string): void {
      const work = issueAndEmail(email)
        .catch((err: unknown) => {
          logger.error('password reset request failed', { error: (err as Error).message });
        })
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    },

    /** Resolves when every accepted reset request has been processed (tests, graceful shutdown). */
    async drain(): Promise<void> {
      await Promise.all([...inFlight]);
    },

    async resetPassword(token: string, password: string): Promise<void> {
      const at = now();
      const used = await deps.resetTokens.consume(hashToken(token), at);
      if (!used) throw new BadRequestError('Reset token is invalid, expired or already used', 'RESET_TOKEN_INVALID');
      const updated = await deps.accounts.setPassword(used.accountId, password);
      if (!updated) throw new BadRequestError('Reset token is invalid, expired or already used', 'RESET_TOKEN_INVALID');
      await deps.resetTokens.invalidateForAccount(used.accountId, at);
      const revoked = await deps.sessions.revokeAll(used.accountId);
      logger.info('password reset; sessions revoked', { accountId: used.accountId, revoked });
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
