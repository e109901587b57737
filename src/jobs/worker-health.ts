// The worker's optional HTTP port (WORKER_HEALTH_PORT): /health for PM2/orchestrator probes, /ready
// with the outbox relay's state, and /metrics with delivery counts and durations.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Redis from 'ioredis';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EmailProcessor } from './email/processor';
import type { RelayStatus } from './outbox/relay';

export interface WorkerMetrics {
  readonly registry: Registry;
  /** Wraps the processor so every attempt is counted and timed by outcome. */
  instrument(processor: EmailProcessor): EmailProcessor;
}

export function createWorkerMetrics(): WorkerMetrics {
  // Our own registry: the API's /metrics module owns the default one.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const attempts = new Counter({ name: 'email_attempts_total', help: 'Email delivery attempts by outcome', labelNames: ['kind', 'outcome'], registers: [registry] });
  const duration = new Histogram({
    name: 'email_send_duration_seconds',
    help: 'Time to render and send one email attempt',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    instrument(processor) {
      return async (job) => {
        const stop = duration.startTimer();
        const kind = String((job.data as { kind?: unknown } | null)?.kind ?? 'unknown');
        try {
          const sent = await processor(job);
          // 'already-sent': the delivery ledger stopped a duplicate (a retry after a crash).
          const outcome = sent.alreadySent ? 'already-sent' : 'sent';
          attempts.inc({ kind, outcome });
          stop({ outcome });
          return sent;
        } catch (err) {
          attempts.inc({ kind, outcome: 'failed' });
          stop({ outcome: 'failed' });
          throw err;
        }
      };
    },
  };
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startWorkerHealthServer(options: {
  host: string;
  port: number;
  redis: Redis;
  isRunning: () => boolean;
  metrics: WorkerMetrics;
  relay?: () => RelayStatus;
}): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === '/metrics') {
        res.writeHead(200, { 'Content-Type': options.metrics.registry.contentType });
        res.end(await options.metrics.registry.metrics());
        return;
      }
      if (req.method === 'GET' && req.url === '/health') {
        const redis = await options.redis.ping().then(
          () => 'up',
          () => 'down',
        );
        const worker = options.isRunning() ? 'running' : 'stopped';
        const ok = redis === 'up' && worker === 'running';
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', checks: { redis, worker } }));
        return;
      }
      if (req.method === 'GET' && req.url === '/ready') {
        // Ready = this worker is consuming and its relay is publishing (a relay that keeps failing,
        // e.g. Redis down, shows here with its last error while it retries with backoff).
        const relay = options.relay?.() ?? null;
        const relayState = !relay ? 'absent' : !relay.running ? 'stopped' : relay.consecutiveFailures ? 'failing' : 'publishing';
        const ok = options.isRunning() && (relayState === 'publishing' || relayState === 'absent');
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify({ status: ok ? 'ready' : 'not ready', checks: { worker: options.isRunning() ? 'running' : 'stopped', relay: relayState }, relay }));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'not found' }));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
