// The order payment state machine (pure): each provider event against each order state, and every
// ordering of a payment's events converging on the same final state.
import { canTransition, TRANSITIONS } from '../../src/services/orders/lifecycle';
import type { PaymentEvent } from '../../src/services/payments/provider';
import { decide, type OrderPaymentState } from '../../src/services/payments/reconcile';
import type { OrderStatus } from '../../src/models/Order';

const AMOUNT = 1000;

function event(type: string, extra: Partial<PaymentEvent> = {}): PaymentEvent {
  return { id: `evt_${type}`, type, createdAt: new Date(0), providerPaymentId: 'pi_1', orderId: 'o1', amountMinor: AMOUNT, amountReceivedMinor: type === 'payment_intent.succeeded' ? AMOUNT : 0, amountRefundedMinor: 0, failureReason: null, ...extra };
}

function order(status: OrderStatus, payment: Partial<NonNullable<OrderPaymentState['payment']>> = {}): OrderPaymentState {
  return { status, payment: { amountMinor: AMOUNT, refundedMinor: 0, status: 'requires_payment', ...payment } };
}

/** Applies decisions the way the service does, without a database. */
function run(start: OrderPaymentState, events: PaymentEvent[]): OrderPaymentState & { autoRefunds: number } {
  let state = { ...start, payment: { ...start.payment! } };
  let autoRefunds = 0;
  const queue = [...events];
  for (let guard = 0; queue.length && guard < 100; guard += 1) {
    const e = queue.shift()!;
    const d = decide(state, e);
    // A deferred event is redelivered later, as the provider does after a non-2xx answer.
    if (d.kind === 'defer') queue.push(e);
    if (d.kind === 'apply') state = { status: d.to ?? state.status, payment: { ...state.payment, status: d.paymentStatus, refundedMinor: Math.max(state.payment.refundedMinor, d.refundedMinor ?? 0) } };
    if (d.kind === 'cancel_order') state = { ...state, status: 'cancelled' };
    if (d.kind === 'fail_order') state = { status: 'payment_failed', payment: { ...state.payment, status: 'failed' } };
    if (d.kind === 'refund_after_cancel') {
      autoRefunds += 1;
      state = { ...state, payment: { ...state.payment, status: 'refunded', refundedMinor: AMOUNT } };
    }
  }
  return { ...state, autoRefunds };
}

describe('order lifecycle table', () => {
  it('when a checkout order is paid, refunded or shipped, then only forward edges exist', () => {
    expect(TRANSITIONS.awaiting_payment).toEqual(['paid', 'payment_failed', 'cancelled']);
    // A decline ends the order (its stock is given back): nothing follows payment_failed.
    expect(TRANSITIONS.payment_failed).toEqual([]);
    expect(canTransition('paid', 'partially_refunded')).toBe(true);
    expect(canTransition('partially_refunded', 'refunded')).toBe(true);
    for (const [from, to] of [['payment_failed', 'paid'], ['payment_failed', 'cancelled'], ['paid', 'awaiting_payment'], ['paid', 'payment_failed'], ['refunded', 'paid'], ['shipped', 'paid'], ['cancelled', 'paid'], ['refunded', 'partially_refunded']] as const) {
      expect(canTransition(from, to)).toBe(false);
    }
  });
});

describe('decide (payment event → order)', () => {
  it('when a success arrives for an order awaiting payment, then it becomes paid; after a decline, the money is refunded', () => {
    expect(decide(order('awaiting_payment'), event('payment_intent.succeeded'))).toMatchObject({ kind: 'apply', to: 'paid', paymentStatus: 'succeeded', publish: 'order.paid' });
    expect(decide(order('payment_failed', { status: 'failed' }), event('payment_intent.succeeded'))).toEqual({ kind: 'refund_after_cancel' });
  });

  it('when a decline arrives for an order awaiting payment, then the order fails (and gives its stock back) once', () => {
    expect(decide(order('awaiting_payment'), event('payment_intent.payment_failed', { failureReason: 'card_declined' }))).toEqual({ kind: 'fail_order', failureReason: 'card_declined' });
    expect(decide(order('payment_failed', { status: 'failed' }), event('payment_intent.payment_failed')).kind).toBe('ignore');
  });

  it('when the payment of an ended order is cancelled at the provider, then only the payment records it', () => {
    expect(decide(order('payment_failed', { status: 'failed' }), event('payment_intent.canceled'))).toEqual({ kind: 'apply', paymentStatus: 'canceled' });
    expect(decide(order('cancelled', { status: 'canceled' }), event('payment_intent.canceled')).kind).toBe('ignore');
    expect(decide(order('awaiting_payment'), event('payment_intent.canceled'))).toEqual({ kind: 'cancel_order' });
  });

  it('when a success reports less than the order total, then it is not taken as payment', () => {
    expect(decide(order('awaiting_payment'), event('payment_intent.succeeded', { amountReceivedMinor: AMOUNT - 1 }))).toEqual({ kind: 'ignore', reason: 'amount-received-below-order-total' });
  });

  it('when a failure or cancellation arrives after the order moved on, then it is ignored', () => {
    for (const status of ['paid', 'shipped', 'delivered', 'refunded'] as const) {
      expect(decide(order(status, { status: 'succeeded' }), event('payment_intent.payment_failed')).kind).toBe('ignore');
      expect(decide(order(status, { status: 'succeeded' }), event('payment_intent.canceled')).kind).toBe('ignore');
    }
  });

  it('when a success arrives for a cancelled order, then the money is refunded (once: not after a full refund)', () => {
    expect(decide(order('cancelled', { status: 'canceled' }), event('payment_intent.succeeded'))).toEqual({ kind: 'refund_after_cancel' });
    expect(decide(order('cancelled', { status: 'refunded', refundedMinor: AMOUNT }), event('payment_intent.succeeded')).kind).toBe('ignore');
  });

  it('when refunds are reported, then paid orders follow the total and shipped ones keep their status', () => {
    expect(decide(order('paid', { status: 'succeeded' }), event('charge.refunded', { amountRefundedMinor: 300 }))).toMatchObject({ to: 'partially_refunded', refundedMinor: 300 });
    expect(decide(order('partially_refunded', { status: 'partially_refunded', refundedMinor: 300 }), event('charge.refunded', { amountRefundedMinor: AMOUNT }))).toMatchObject({ to: 'refunded' });
    expect(decide(order('shipped', { status: 'succeeded' }), event('charge.refunded', { amountRefundedMinor: 300 }))).toMatchObject({ kind: 'apply', to: undefined, paymentStatus: 'partially_refunded' });
    expect(decide(order('paid', { status: 'partially_refunded', refundedMinor: 500 }), event('charge.refunded', { amountRefundedMinor: 300 })).kind).toBe('ignore');
    expect(decide(order('awaiting_payment'), event('charge.refunded', { amountRefundedMinor: 300 }))).toEqual({ kind: 'defer', reason: 'refund-before-success' });
  });

  it('when the order has no provider payment (staff orders), then every event is ignored', () => {
    expect(decide({ status: 'pending' }, event('payment_intent.succeeded'))).toEqual({ kind: 'ignore', reason: 'order-has-no-provider-payment' });
  });
});

describe('event orderings', () => {
  const failed = event('payment_intent.payment_failed', { failureReason: 'insufficient_funds' });
  const succeeded = event('payment_intent.succeeded');
  const partial = event('charge.refunded', { amountRefundedMinor: 400 });
  const full = event('charge.refunded', { amountRefundedMinor: AMOUNT });

  function permutations<T>(items: T[]): T[][] {
    if (items.length <= 1) return [items];
    return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
  }

  it('when a decline, a success and two refunds arrive in any order (each possibly twice; early refunds redelivered), then the money always ends refunded in full and the first of success or decline decides the order', () => {
    for (const order_ of permutations([failed, succeeded, partial, full])) {
      const end = run(order('awaiting_payment'), [...order_, ...order_]);
      const paidFirst = order_.indexOf(succeeded) < order_.indexOf(failed);
      expect(end).toMatchObject({ status: paidFirst ? 'refunded' : 'payment_failed', payment: { status: 'refunded', refundedMinor: AMOUNT } });
      expect(end.autoRefunds).toBeLessThanOrEqual(paidFirst ? 0 : 1);
    }
    expect(run(order('awaiting_payment'), [succeeded, full, partial, failed])).toMatchObject({ status: 'refunded', payment: { refundedMinor: AMOUNT } });
  });

  it('when a success arrives after the order was cancelled, whatever else arrives, then exactly one automatic refund is made', () => {
    const end = run(order('cancelled', { status: 'canceled' }), [succeeded, succeeded, failed, full]);
    expect(end).toMatchObject({ status: 'cancelled', autoRefunds: 1, payment: { refundedMinor: AMOUNT } });
  });
});
