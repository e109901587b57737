// The simulated provider's intents (SimulatedPaymentIntent). Used only by the simulated provider.
import type { SimulatedPaymentIntentModel } from '../../models/SimulatedPaymentIntent';
import { DuplicateKeyError, rethrowDuplicateKey } from '../errors';

export interface SimulatedIntentRecord {
  _id: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  status: 'requires_payment_method' | 'succeeded' | 'canceled';
  clientSecret: string;
  idempotencyKey: string;
  lastFailure: string | null;
  amountRefundedMinor: number;
  refunds: { refundId: string; amountMinor: number; idempotencyKey: string; at: Date; reason?: string; viaDashboard?: boolean }[];
}

export type SimulatedIntentRepository = ReturnType<typeof createSimulatedIntentRepository>;

export function createSimulatedIntentRepository(model: SimulatedPaymentIntentModel) {
  const lean = <T>(query: { lean(): unknown }) => query.lean() as unknown as Promise<T>;
  const byId = (id: string) => lean<SimulatedIntentRecord | null>(model.findById(id).setOptions({ sanitizeFilter: true }));
  return {
    findById: byId,

    /** Creates the intent, or returns the one this idempotency key created before (also under a race). */
    async createOnce(input: Omit<SimulatedIntentRecord, 'lastFailure' | 'amountRefundedMinor' | 'refunds'>): Promise<SimulatedIntentRecord> {
      try {
        await model.create(input).catch(rethrowDuplicateKey);
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
      }
      const found = await lean<SimulatedIntentRecord | null>(model.findOne({ idempotencyKey: input.idempotencyKey }).setOptions({ sanitizeFilter: true }));
      if (!found) throw new Error('simulated intent vanished after creation');
      return found;
    },

    /** Moves an intent still awaiting payment; null when it is no longer in that state. */
    settle(id: string, status: 'succeeded' | 'canceled' | 'requires_payment_method', lastFailure: string | null): Promise<SimulatedIntentRecord | null> {
      return lean(model.findOneAndUpdate({ _id: id, status: 'requires_payment_method' }, { $set: { status, lastFailure } }, { returnDocument: 'after' }).setOptions({ sanitizeFilter: true }));
    },

    /** Adds a refund unless this key already made one or it would exceed the amount received. */
    addRefund(id: string, refund: SimulatedIntentRecord['refunds'][number]): Promise<SimulatedIntentRecord | null> {
      return lean(
        model
          .findOneAndUpdate(
            {
              _id: id,
              status: 'succeeded',
              'refunds.idempotencyKey': { $ne: refund.idempotencyKey },
              $expr: { $lte: [{ $add: ['$amountRefundedMinor', refund.amountMinor] }, '$amountMinor'] },
            },
            { $push: { refunds: refund }, $inc: { amountRefundedMinor: refund.amountMinor } },
            { returnDocument: 'after' },
          ),
      );
    },
  };
}
