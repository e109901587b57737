// Composition of domain events: the outbox a state change writes to in its own transaction, the
// relay that publishes each event (email queue, analytics queue, stock-alert audiences) and the
// analytics consumer. Part of the composition root (createServices calls it), like payments.ts.
import type Redis from 'ioredis';
import type { AppConfig } from '../config';
import { producerConnection } from '../jobs/email/email.queue';
import type { EmailQueue } from '../jobs/email/types';
import { createNudger } from '../jobs/outbox/nudge';
import { createEventPublisher } from '../jobs/outbox/publisher';
import { createEventConfirmer } from '../jobs/outbox/confirm';
import { createBullEventQueue, createInlineEventQueue } from '../jobs/outbox/event-queue';
import { createOutboxRelay } from '../jobs/outbox/relay';
import { createAnalyticsService } from '../services/analytics/analytics.service';
import { createOutbox } from '../services/outbox/outbox.service';
import { createStockAlertAudiences } from '../services/stock/audiences';
import type { TransactionRunner } from '../services/transactions';
import type { Repositories } from './repositories';

/** The BullMQ queue of the analytics consumer (jobs: outbox events, job id = event id). */
export const ANALYTICS_QUEUE_NAME = 'analytics';

export interface EventsDeps {
  readonly config: AppConfig;
  readonly redis: Redis | null;
  readonly emailQueue: EmailQueue;
  readonly repositories: Pick<Repositories, 'outbox' | 'analytics' | 'wishlists' | 'accounts'>;
  readonly transactions: TransactionRunner;
}

export function createEvents(deps: EventsDeps) {
  const { config, redis, emailQueue, repositories, transactions } = deps;
  const outboxRepository = repositories.outbox;
  // A relay publishing to this process's email queue. Not started here: the worker runs its own;
  // the API starts this one only without Redis (development); tests call `runOnce()` to drain.
  // Fan-out events (stock alerts) name an audience; the relay resolves it when it publishes.
  const audiences = createStockAlertAudiences({ wishlists: repositories.wishlists, accounts: repositories.accounts });
  const analytics = createAnalyticsService({ repository: repositories.analytics, transactions });
  // The analytics consumer's queue: BullMQ (run by the worker) with Redis, else the consumer runs inline.
  const analyticsQueue = redis
    ? createBullEventQueue(config, ANALYTICS_QUEUE_NAME, () => producerConnection(redis))
    : createInlineEventQueue(async (event) => void (await analytics.applyEvent(event)));
  const publish = createEventPublisher({ email: emailQueue, analytics: analyticsQueue, confirm: createEventConfirmer(outboxRepository), audiences });
  const outboxRelay = createOutboxRelay({ repository: outboxRepository, publish, settings: config.outbox });
  // With Redis the relays live in the worker and hear a pub/sub nudge; without, the in-process relay is nudged.
  const nudge = redis ? createNudger(redis, config.redis.keyPrefix) : () => outboxRelay.nudge();
  const outbox = createOutbox({
    repository: outboxRepository,
    transactions,
    nudge,
    // Test-only failpoint (config refuses it outside NODE_ENV=test): die like a SIGKILL after the commit.
    afterCommit: config.outbox.crashAfterCommit ? () => process.kill(process.pid, 'SIGKILL') : undefined,
  });
  return { outbox, outboxRelay, nudge, analytics, analyticsQueue };
}
