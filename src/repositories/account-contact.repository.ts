// Where an order email goes: the account's address. A narrow read of the accounts collection until
// the accounts module is wired; the container can pass `accounts.findById(id)` → email instead.
import { isValidObjectId, Types, type Connection } from 'mongoose';

export type FindAccountEmail = (accountId: string) => Promise<string | null>;

export function createAccountEmailLookup(connection: Connection): FindAccountEmail {
  return async (accountId) => {
    if (!isValidObjectId(accountId)) return null;
    const doc = await connection
      .collection<{ _id: Types.ObjectId; email?: string }>('accounts')
      .findOne({ _id: new Types.ObjectId(accountId) }, { projection: { email: 1 } });
    return typeof doc?.email === 'string' ? doc.email : null;
  };
}
