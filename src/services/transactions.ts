// Whether the MongoDB deployment runs multi-document transactions, detected once, and a runner.
// Replica sets and sharded clusters do; a standalone mongod refuses transaction numbers.
import type { ClientSession, Connection } from 'mongoose';
import { logger } from '../utils/logger';
import { remainingRequestMs, throwIfCancelled } from '../utils/tracing';

export interface TransactionRunner {
  /** Detected on first call (bootstrap makes that call at start-up) and remembered for the process's life. */
  supportsTransactions(): Promise<boolean>;
  /**
   * Runs `fn` in a transaction, retried on TransientTransactionError a bounded number of times.
   * Within a request it never outlives the request's deadline: no attempt starts and no commit is
   * sent after the deadline, and the commit is given only the time left (maxCommitTimeMS).
   */
  run<T>(fn: (session: ClientSession) => Promise<T>): Promise<T>;
}

export interface TransactionLimits {
  /** Attempts of the whole transaction on TransientTransactionError (write conflicts). */
  readonly maxAttempts: number;
  /** Commit retries on UnknownTransactionCommitResult. */
  readonly maxCommitAttempts: number;
  /** Cap on a commit's server time outside a request. */
  readonly maxCommitTimeMs: number;
}

const DEFAULT_LIMITS: TransactionLimits = { maxAttempts: 5, maxCommitAttempts: 3, maxCommitTimeMs: 5_000 };

function hasLabel(err: unknown, label: string): boolean {
  return typeof (err as { hasErrorLabel?: unknown })?.hasErrorLabel === 'function' && (err as { hasErrorLabel(l: string): boolean }).hasErrorLabel(label);
}

const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** attempt) * Math.random()));

export function createTransactionRunner(connection: Connection, limits: TransactionLimits = DEFAULT_LIMITS): TransactionRunner {
  let capability: Promise<boolean> | undefined;

  async function detect(): Promise<boolean> {
    const db = connection.db;
    if (!db) throw new Error('MongoDB is not connected');
    const hello = await db.admin().command({ hello: 1 });
    const supported = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
    logger.info('MongoDB transaction support detected', { transactions: supported, setName: hello.setName });
    return supported;
  }

  async function commit(session: ClientSession): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await session.commitTransaction();
        return;
      } catch (err) {
        // An unknown commit result may be retried (commit is idempotent) — but not past the deadline.
        if (!hasLabel(err, 'UnknownTransactionCommitResult') || attempt >= limits.maxCommitAttempts) throw err;
        throwIfCancelled();
      }
    }
  }

  async function attempt<T>(session: ClientSession, fn: (session: ClientSession) => Promise<T>): Promise<T> {
    const maxCommitTimeMS = Math.min(remainingRequestMs() ?? limits.maxCommitTimeMs, limits.maxCommitTimeMs);
    session.startTransaction({ maxCommitTimeMS });
    try {
      const result = await fn(session);
      // The last chance to give up cleanly: a deadline that passed during fn aborts instead of committing.
      throwIfCancelled();
      await commit(session);
      return result;
    } catch (err) {
      if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
      throw err;
    }
  }

  return {
    supportsTransactions() {
      // A failed probe (database briefly down) is not remembered: the next call asks again.
      capability ??= detect().catch((err: unknown) => {
        capability = undefined;
        throw err;
      });
      return capability;
    },
    async run(fn) {
      throwIfCancelled();
      const session = await connection.startSession();
      try {
        for (let n = 1; ; n += 1) {
          try {
            return await attempt(session, fn);
          } catch (err) {
            if (!hasLabel(err, 'TransientTransactionError') || n >= limits.maxAttempts) throw err;
            await backoff(n);
            throwIfCancelled();
          }
        }
      } finally {
        await session.endSession();
      }
    },
  };
}
