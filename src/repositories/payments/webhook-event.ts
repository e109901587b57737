// Processed webhook events (the WebhookEvent model). Recording first and processing second makes the
// unique index the de-duplication point: a concurrent duplicate loses the insert race.
import type { Types } from 'mongoose';
import type { WebhookEventModel } from '../../models/WebhookEvent';
import { DuplicateKeyError, rethrowDuplicateKey } from '../errors';

export type WebhookEventRepository = ReturnType<typeof createWebhookEventRepository>;

export function createWebhookEventRepository(model: WebhookEventModel) {
  return {
    /** True when this call recorded the event; false when it was already there (a duplicate). */
    async record(input: { provider: string; eventId: string; type: string; receivedAt: Date }): Promise<boolean> {
      try {
        await model.create(input).catch(rethrowDuplicateKey);
        return true;
      } catch (err) {
        if (err instanceof DuplicateKeyError) return false;
        throw err;
      }
    },

    async complete(provider: string, eventId: string, outcome: string, orderId: Types.ObjectId | null): Promise<void> {
      await model.updateOne({ provider, eventId }, { $set: { outcome, orderId } }).setOptions({ sanitizeFilter: true });
    },

    /** Lets the provider redeliver an event whose processing failed (e.g. the database blipped). */
    async forget(provider: string, eventId: string): Promise<void> {
      await model.deleteOne({ provider, eventId }).setOptions({ sanitizeFilter: true });
    },

    count(filter: { eventId?: string } = {}): Promise<number> {
      return model.countDocuments(filter).setOptions({ sanitizeFilter: true }).exec();
    },
  };
}
