// The payment-side repositories: processed webhook events (the de-duplication point) and the
// simulated provider's intents (one per idempotency key), including the errors they must not swallow.
import { SimulatedPaymentIntent, WebhookEvent } from '../../support/models';
import { createWebhookEventRepository } from '../../../src/repositories/payments/webhook-event';
import { createSimulatedIntentRepository } from '../../../src/repositories/payments/simulated-intent';
import { clearTestDatabase, useTestDatabase } from '../../support/db';

useTestDatabase();

const T0 = new Date('2026-01-01T00:00:00.000Z');

describe('payment repositories', () => {
  afterEach(async () => {
    jest.restoreAllMocks();
    await clearTestDatabase();
  });

  describe('WebhookEventRepository', () => {
    const repo = createWebhookEventRepository(WebhookEvent);

    it('when an event is recorded twice, then only the first call takes effect; the same id from another provider is its own event', async () => {
      expect(await repo.record({ provider: 'stripe', eventId: 'evt_1', type: 'payment_intent.succeeded', receivedAt: T0 })).toBe(true);
      expect(await repo.record({ provider: 'stripe', eventId: 'evt_1', type: 'payment_intent.succeeded', receivedAt: T0 })).toBe(false);
      expect(await repo.record({ provider: 'simulated', eventId: 'evt_1', type: 'payment.succeeded', receivedAt: T0 })).toBe(true);
      expect(await repo.count()).toBe(2);
      expect(await repo.count({ eventId: 'evt_1' })).toBe(2);
      expect(await repo.count({ eventId: 'evt_2' })).toBe(0);
    });

    it('when an event cannot be stored for another reason, then the error reaches the caller instead of reading as a duplicate', async () => {
      await expect(repo.record({ provider: 'stripe', eventId: 'x'.repeat(300), type: 't', receivedAt: T0 })).rejects.toMatchObject({ name: 'ValidationError' });
      expect(await repo.count()).toBe(0);
    });

    it('when processing failed and the event is forgotten, then the provider\'s redelivery is recorded again', async () => {
      await repo.record({ provider: 'stripe', eventId: 'evt_1', type: 't', receivedAt: T0 });
      await repo.forget('stripe', 'evt_1');
      expect(await repo.record({ provider: 'stripe', eventId: 'evt_1', type: 't', receivedAt: T0 })).toBe(true);
      await repo.complete('stripe', 'evt_1', 'applied', null);
      expect(await WebhookEvent.findOne({ eventId: 'evt_1' }).lean()).toMatchObject({ outcome: 'applied', orderId: null });
    });
  });

  describe('SimulatedIntentRepository', () => {
    const repo = createSimulatedIntentRepository(SimulatedPaymentIntent);
    const intent = (id: string, idempotencyKey: string) => ({ _id: id, orderId: 'o1', amountMinor: 1000, currency: 'USD', status: 'requires_payment_method' as const, clientSecret: `${id}_secret`, idempotencyKey });

    it('when an intent is created again with the same idempotency key, then the first one is returned and no second is stored', async () => {
      const first = await repo.createOnce(intent('pi_1', 'key-1'));
      const again = await repo.createOnce(intent('pi_2', 'key-1'));
      expect(again._id).toBe('pi_1');
      expect(first).toMatchObject({ _id: 'pi_1', amountRefundedMinor: 0, refunds: [], lastFailure: null });
      expect(await SimulatedPaymentIntent.countDocuments()).toBe(1);
    });

    it('when an intent is invalid, then the validation error reaches the caller', async () => {
      await expect(repo.createOnce({ ...intent('pi_1', 'key-1'), amountMinor: 0 })).rejects.toMatchObject({ name: 'ValidationError' });
      expect(await SimulatedPaymentIntent.countDocuments()).toBe(0);
    });

    it('when the created intent cannot be read back, then the caller gets an error rather than a missing intent', async () => {
      jest.spyOn(SimulatedPaymentIntent, 'findOne').mockReturnValueOnce({ setOptions: () => ({ lean: async () => null }) } as unknown as ReturnType<typeof SimulatedPaymentIntent.findOne>);
      await expect(repo.createOnce(intent('pi_1', 'key-1'))).rejects.toThrow('simulated intent vanished after creation');
    });

    it('when an intent is settled, then only one outcome lands; refunds are once per key and never exceed the amount received', async () => {
      await repo.createOnce(intent('pi_1', 'key-1'));
      expect(await repo.settle('pi_1', 'succeeded', null)).toMatchObject({ status: 'succeeded' });
      expect(await repo.settle('pi_1', 'canceled', null)).toBeNull();
      expect(await repo.addRefund('pi_1', { refundId: 're_1', amountMinor: 600, idempotencyKey: 'r-1', at: T0 })).toMatchObject({ amountRefundedMinor: 600 });
      expect(await repo.addRefund('pi_1', { refundId: 're_1b', amountMinor: 600, idempotencyKey: 'r-1', at: T0 })).toBeNull();
      expect(await repo.addRefund('pi_1', { refundId: 're_2', amountMinor: 500, idempotencyKey: 'r-2', at: T0 })).toBeNull();
      expect(await repo.addRefund('pi_1', { refundId: 're_3', amountMinor: 400, idempotencyKey: 'r-3', at: T0 })).toMatchObject({ amountRefundedMinor: 1000 });
      expect(await repo.findById('pi_1')).toMatchObject({ refunds: [{ refundId: 're_1' }, { refundId: 're_3' }] });
    });
  });
});
