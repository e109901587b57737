// Order domain events, published through ONE function. Until the transactional outbox lands (issue
// 15) the publisher sends the customer email directly through the order notifier; at that merge
// only createOrderEventPublisher changes (it writes an outbox event in the caller's transaction).
import type { OrderRecord } from '../../repositories/order.repository';
import type { OrderNotifier } from './notifier';

export type OrderDomainEvent =
  | { readonly type: 'order.paid'; readonly order: OrderRecord }
  | { readonly type: 'order.payment_failed'; readonly order: OrderRecord }
  | { readonly type: 'order.refunded'; readonly order: OrderRecord; readonly amountMinor: number }
  | { readonly type: 'order.shipped'; readonly order: OrderRecord };

export type PublishOrderEvent = (event: OrderDomainEvent) => Promise<void>;

export function createOrderEventPublisher(notifier: OrderNotifier): PublishOrderEvent {
  return async (event) => {
    switch (event.type) {
      case 'order.paid':
        return notifier.paid(event.order);
      case 'order.payment_failed':
        return notifier.statusChanged(event.order);
      case 'order.refunded':
        return notifier.refunded(event.order, event.amountMinor);
      case 'order.shipped':
        return notifier.shipped(event.order);
    }
  };
}
