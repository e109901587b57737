// The outbox relay: claims pending events (a lease per event, so several relays can run), publishes
// each to its queue with the event id as job id, and marks it published. Poison events are parked.
// Wakes every `pollMs` or at once on a nudge; backs off while the queue (Redis) is down.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppConfig } from '../../config';
import type { OutboxEventRecord, OutboxRepository } from '../../repositories/outbox.repository';
import { logger } from '../../utils/logger';
import { eventDefinition, isFanOutOnly } from './events';
import { PoisonEventError, type EventPublisher } from './publisher';

export interface RelayPass {
  readonly published: number;
  readonly parked: number;
  /** Events another relay took first, or held back behind an older event of their aggregate. */
  readonly skipped: number;
  readonly failed: number;
  /** The pass filled a whole batch: more may be waiting. */
  readonly full: boolean;
}

export interface RelayStatus {
  readonly owner: string;
  readonly running: boolean;
  readonly lastPassAt: string | null;
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  readonly published: number;
  readonly parked: number;
}

export interface OutboxRelay {
  start(): void;
  /** Finishes the pass in progress (its claims complete or are released), then stops. */
  stop(): Promise<void>;
  /** Something was committed: run a pass now instead of at the next poll. */
  nudge(): void;
  runOnce(): Promise<RelayPass>;
  status(): RelayStatus;
}

export interface RelayDeps {
  readonly repository: OutboxRepository;
  readonly publish: EventPublisher;
  readonly settings: AppConfig['outbox'];
  readonly owner?: string;
  /** Aggregates published in parallel within one pass; each aggregate's events stay in order. */
  readonly concurrency?: number;
}

const MAX_BACKOFF_MS = 5_000;

type Outcome = 'published' | 'parked' | 'skipped' | 'failed';

export function createOutboxRelay(deps: RelayDeps): OutboxRelay {
  const { repository, publish, settings } = deps;
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const concurrency = deps.concurrency ?? 16;
  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let nudged = false;
  let lastPassAt: Date | null = null;
  let consecutiveFailures = 0;
  let lastError: string | null = null;
  let published = 0;
  let parked = 0;

  const unconfirmedBefore = () => new Date(Date.now() - settings.redeliverAfterMs);

  async function handle(event: OutboxEventRecord): Promise<Outcome> {
    const claimed = await repository.claim(event._id, owner, new Date(), new Date(Date.now() + settings.leaseMs), unconfirmedBefore());
    if (!claimed) return 'skipped';
    // Consumers see an aggregate's events in the order they happened (placed before cancelled).
    if (!claimed.publishedAt && (await repository.hasOlderPending(claimed))) {
      await repository.release(claimed._id, owner, null, true);
      return 'skipped';
    }
    try {
      await publish(claimed);
    } catch (err) {
      const message = (err as Error).message.slice(0, 1000);
      if (err instanceof PoisonEventError) {
        await repository.park(claimed._id, owner, message, new Date());
        logger.error('outbox event parked: it can never be published as it is', { eventId: claimed._id, type: claimed.type, reason: message });
        return 'parked';
      }
      await repository.release(claimed._id, owner, message);
      lastError = message;
      return 'failed';
    }
    const now = new Date();
    const definition = eventDefinition(claimed.type);
    // A fan-out is done once its emails are queued (each has its own job id and ledger row); a
    // re-publish after the redelivery delay would only resolve the audience again.
    const confirmed = isFanOutOnly(claimed.type);
    await repository.markPublished(claimed._id, owner, now, new Date(now.getTime() + settings.retentionSeconds * 1000), definition?.secretFields, confirmed);
    return 'published';
  }

  async function runAggregate(events: readonly OutboxEventRecord[], tally: Record<Outcome, number>): Promise<void> {
    for (const event of events) {
      const outcome = await handle(event);
      tally[outcome] += 1;
      // A later event of this aggregate waits until the earlier one is out.
      if (outcome === 'skipped' || outcome === 'failed') return;
    }
  }

  async function runOnce(): Promise<RelayPass> {
    const candidates = await repository.findClaimable(new Date(), settings.batchSize, unconfirmedBefore());
    const byAggregate = new Map<string, OutboxEventRecord[]>();
    for (const event of candidates) byAggregate.set(event.aggregateId, [...(byAggregate.get(event.aggregateId) ?? []), event]);
    const groups = [...byAggregate.values()];
    const tally: Record<Outcome, number> = { published: 0, parked: 0, skipped: 0, failed: 0 };
    let next = 0;
    const lanes = Array.from({ length: Math.min(concurrency, groups.length) }, async () => {
      while (next < groups.length) await runAggregate(groups[next++], tally);
    });
    await Promise.all(lanes);
    published += tally.published;
    parked += tally.parked;
    lastPassAt = new Date();
    if (tally.published || tally.parked) logger.info('outbox events relayed', { owner, ...tally });
    return { ...tally, full: candidates.length === settings.batchSize };
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      nudged = false;
      let pass: RelayPass | null = null;
      try {
        pass = await runOnce();
        consecutiveFailures = pass.failed ? consecutiveFailures + 1 : 0;
        if (!pass.failed) lastError = null;
      } catch (err) {
        // MongoDB unreachable: nothing was claimed, or the claims lapse and are retried.
        consecutiveFailures += 1;
        lastError = (err as Error).message;
      }
      if (consecutiveFailures === 1) logger.warn('outbox relay cannot publish; retrying with backoff', { owner, error: lastError });
      if (!running) break;
      if (pass?.full && !pass.failed) continue;
      if (nudged && !consecutiveFailures) continue;
      await pause(consecutiveFailures ? Math.min(MAX_BACKOFF_MS, settings.pollMs * 2 ** consecutiveFailures) : settings.pollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
      logger.info('outbox relay started', { owner, pollMs: settings.pollMs, batchSize: settings.batchSize });
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      loop = null;
    },
    nudge() {
      nudged = true;
      wake?.();
    },
    runOnce,
    status: () => ({ owner, running, lastPassAt: lastPassAt?.toISOString() ?? null, consecutiveFailures, lastError, published, parked }),
  };
}
