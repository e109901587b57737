// Prometheus metrics on a registry of our own (never prom-client's global one, so several apps can
// live in one process, as in tests). Per-request work is one gauge step and one histogram
// observation; everything about MongoDB, Redis and queues is read only when Prometheus scrapes.
import type Redis from 'ioredis';
import type { Connection } from 'mongoose';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a queue reports when scraped; the jobs module's queueStats() fits this shape. */
export type QueueCounts = Readonly<Record<string, number>>;
export type QueueStatsSource = () => Promise<Readonly<Record<string, QueueCounts>>>;
/** The outbox as scraped: events per state and the age of the oldest unpublished one. */
export type OutboxStatsSource = () => Promise<{ pending: number; parked: number; published: number; lagSeconds: number }>;

export interface MetricsService {
  readonly registry: Registry;
  readonly contentType: string;
  /** A request has started (the in-flight gauge goes up). */
  requestStarted(): void;
  /** A request's response is done or aborted: in-flight goes down, its duration is observed. */
  requestFinished(method: string, route: string, status: number, seconds: number): void;
  recordError(code: string, status: number): void;
  /** Plugs queue depth and job outcome totals (per queue, per state) into every scrape. */
  registerQueueMetrics(source: QueueStatsSource): void;
  /** Plugs outbox counts and lag into every scrape. */
  registerOutboxMetrics(source: OutboxStatsSource): void;
  render(): Promise<string>;
}

export interface MetricsDeps {
  readonly mongo: Connection;
  readonly redis: Redis | null;
  readonly serviceName: string;
  readonly version: string;
}

const MONGO_STATES = ['disconnected', 'connected', 'connecting', 'disconnecting'] as const;

interface PoolView {
  readonly totalConnectionCount?: number;
  readonly currentCheckedOutCount?: number;
  readonly pendingConnectionCount?: number;
}

/**
 * Sums the driver's pool counters across servers at scrape time. The topology is driver-internal,
 * so every step is guarded: if its shape changes, the gauge reports nothing rather than wrong
 * numbers. (Counting CMAP events instead would miss connections made before we subscribed.)
 */
export function readPool(mongo: Connection): { total: number; checkedOut: number; pending: number } | undefined {
  const topology = (mongo.getClient?.() as unknown as { topology?: { s?: { servers?: Map<string, { pool?: PoolView }> } } } | undefined)?.topology;
  const servers = topology?.s?.servers;
  if (!(servers instanceof Map)) return undefined;
  const sum = { total: 0, checkedOut: 0, pending: 0 };
  for (const server of servers.values()) {
    sum.total += server.pool?.totalConnectionCount ?? 0;
    sum.checkedOut += server.pool?.currentCheckedOutCount ?? 0;
    sum.pending += server.pool?.pendingConnectionCount ?? 0;
  }
  return sum;
}

function registerDependencyGauges(registry: Registry, deps: MetricsDeps): void {
  new Gauge({
    name: 'mongodb_connection_state',
    help: 'Mongoose connection state (1 for the current state)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const current = deps.mongo.readyState as number;
      MONGO_STATES.forEach((state, index) => this.set({ state }, current === index ? 1 : 0));
    },
  });
  new Gauge({
    name: 'mongodb_pool_connections',
    help: 'Connections in the MongoDB driver pool, by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      const pool = readPool(deps.mongo);
      if (!pool) return;
      this.set({ state: 'total' }, pool.total);
      this.set({ state: 'checked_out' }, pool.checkedOut);
      this.set({ state: 'pending' }, pool.pending);
    },
  });
  new Gauge({
    name: 'redis_up',
    help: '1 when the Redis connection is ready, 0 when not; absent when Redis is not configured',
    registers: [registry],
    collect() {
      if (deps.redis) this.set(deps.redis.status === 'ready' ? 1 : 0);
    },
  });
}

export function createMetricsService(deps: MetricsDeps): MetricsService {
  const registry = new Registry();
  registry.setDefaultLabels({ service: deps.serviceName });
  let processMetricsOn = false;
  const queueSources: QueueStatsSource[] = [];
  let outboxSource: OutboxStatsSource | null = null;
  // Read once per scrape for both outbox gauges; a database that cannot answer contributes nothing.
  let outboxScrape: Promise<Awaited<ReturnType<OutboxStatsSource>> | null> | null = null;
  function readOutbox() {
    outboxScrape ??= (outboxSource?.() ?? Promise.resolve(null)).catch(() => null).finally(() => setImmediate(() => (outboxScrape = null)));
    return outboxScrape;
  }

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Label sets are few (method × route template × status), so each one's series is looked up once
  // and reused: observing through a cached child skips prom-client's per-call label hashing.
  const durationChildren = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>();
  function durationSeries(method: string, route: string, status: number) {
    const key = `${method} ${status} ${route}`;
    let child = durationChildren.get(key);
    if (!child) {
      child = duration.labels({ method, route, status_code: status });
      durationChildren.set(key, child);
    }
    return child;
  }
  const inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'Requests being handled now', registers: [registry] });
  const errors = new Counter({
    name: 'http_errors_total',
    help: 'Error responses by error code and status',
    labelNames: ['code', 'status_code'],
    registers: [registry],
  });
  new Gauge({ name: 'app_info', help: 'Build information', labelNames: ['version'], registers: [registry] }).set({ version: deps.version }, 1);
  registerDependencyGauges(registry, deps);
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed, completed) as the queue reports them',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const source of queueSources) {
        // A queue that cannot answer (Redis down) must not break the whole scrape.
        const stats = await source().catch(() => ({}) as Record<string, QueueCounts>);
        for (const [queue, counts] of Object.entries(stats)) {
          for (const [state, value] of Object.entries(counts)) if (Number.isFinite(value)) this.set({ queue, state }, value);
        }
      }
    },
  });

  new Gauge({
    name: 'outbox_events',
    help: 'Outbox events by state: pending (not yet published), parked (poison, needs an admin), published (kept for the retention period)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const stats = await readOutbox();
      if (stats) for (const state of ['pending', 'parked', 'published'] as const) this.set({ state }, stats[state]);
    },
  });
  new Gauge({
    name: 'outbox_lag_seconds',
    help: 'Age of the oldest unpublished (pending) outbox event; 0 when none is pending',
    registers: [registry],
    async collect() {
      this.reset();
      const stats = await readOutbox();
      if (stats) this.set(stats.lagSeconds);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    requestStarted() {
      inFlight.inc();
    },
    requestFinished(method, route, status, seconds) {
      inFlight.dec();
      durationSeries(method, route, status).observe(seconds);
    },
    recordError(code, status) {
      errors.inc({ code, status_code: status });
    },
    registerQueueMetrics(source) {
      queueSources.push(source);
    },
    registerOutboxMetrics(source) {
      outboxSource = source;
    },
    async render() {
      // Process metrics start at the first scrape, so apps that are never scraped pay nothing.
      if (!processMetricsOn) {
        collectDefaultMetrics({ register: registry });
        processMetricsOn = true;
      }
      return registry.metrics();
    },
  };
}
