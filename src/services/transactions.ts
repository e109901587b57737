// Whether the MongoDB deployment runs multi-document transactions, detected once, and a runner.
// Replica sets and sharded clusters do; a standalone mongod refuses transaction numbers.
import type { ClientSession, Connection } from 'mongoose';
import { logger } from '../utils/logger';

export interface TransactionRunner {
  /** Detected on first call (bootstrap makes that call at start-up) and remembered for the process's life. */
  supportsTransactions(): Promise<boolean>;
  /** Runs `fn` in a transaction, retried by the driver on TransientTransactionError. */
  run<T>(fn: (session: ClientSession) => Promise<T>): Promise<T>;
}

export function createTransactionRunner(connection: Connection): TransactionRunner {
  let capability: Promise<boolean> | undefined;

  async function detect(): Promise<boolean> {
    const db = connection.db;
    if (!db) throw new Error('MongoDB is not connected');
    const hello = await db.admin().command({ hello: 1 });
    const supported = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
    logger.info('MongoDB transaction support detected', { transactions: supported, setName: hello.setName });
    return supported;
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
    run(fn) {
      return connection.transaction(fn);
    },
  };
}
