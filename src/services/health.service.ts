// Liveness and readiness. Readiness means "send me traffic": it fails only when this instance cannot
// serve — MongoDB unreachable, or draining. Redis is not required to serve (rate limits fail open,
// the cache is skipped, the queue producer reports its own failure): a Redis outage is shared by
// every instance, so failing readiness on it would take the whole fleet out of the load balancer.
// It shows as `degraded` instead, in /ready, /health and the redis_up metric.
import type { Connection } from 'mongoose';
import type Redis from 'ioredis';

export type DependencyStatus = 'up' | 'down' | 'disabled';

export interface DependencyCheck {
  readonly status: DependencyStatus;
  readonly latencyMs?: number;
  readonly error?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly draining: boolean;
  /** Optional dependencies that are down: the instance serves, with less (e.g. no shared rate limits). */
  readonly degraded: readonly string[];
  readonly checks: Readonly<Record<string, DependencyCheck>>;
}

export interface Liveness {
  readonly status: 'ok' | 'degraded';
  readonly uptimeSeconds: number;
  readonly version: string;
  readonly timestamp: string;
  /** Connection states as this process sees them (no probe: liveness stays cheap and always 200). */
  readonly dependencies: Readonly<Record<'mongodb' | 'redis', DependencyStatus>>;
}

export interface HealthService {
  liveness(): Liveness;
  readiness(): Promise<Readiness>;
}

export interface HealthDeps {
  readonly version: string;
  readonly mongo: Connection;
  readonly redis: Redis | null;
  readonly timeoutMs?: number;
  /** True once shutdown has begun, so load balancers stop routing here while requests drain. */
  readonly isDraining?: () => boolean;
}

async function timed(probe: () => Promise<unknown>, timeoutMs: number): Promise<DependencyCheck> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (err) {
    // Only a short, non-sensitive reason is reported; the full error goes to the log by the caller.
    return { status: 'down', error: err instanceof Error ? err.message.slice(0, 120) : 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

export function createHealthService(deps: HealthDeps): HealthService {
  const timeoutMs = deps.timeoutMs ?? 1500;
  return {
    liveness() {
      const dependencies = {
        mongodb: deps.mongo.readyState === 1 ? ('up' as const) : ('down' as const),
        redis: !deps.redis ? ('disabled' as const) : deps.redis.status === 'ready' ? ('up' as const) : ('down' as const),
      };
      return {
        status: Object.values(dependencies).includes('down') ? 'degraded' : 'ok',
        uptimeSeconds: Math.round(process.uptime()),
        version: deps.version,
        timestamp: new Date().toISOString(),
        dependencies,
      };
    },
    async readiness() {
      const mongoProbe = async () => {
        const db = deps.mongo.db;
        if (deps.mongo.readyState !== 1 || !db) throw new Error('not connected');
        await db.admin().command({ ping: 1 });
      };
      const [mongodb, redis] = await Promise.all([
        timed(mongoProbe, timeoutMs),
        deps.redis ? timed(() => deps.redis!.ping(), timeoutMs) : Promise.resolve<DependencyCheck>({ status: 'disabled' }),
      ]);
      const draining = deps.isDraining?.() ?? false;
      const checks = { mongodb, redis };
      const ready = !draining && mongodb.status === 'up';
      return { ready, draining, degraded: redis.status === 'down' ? ['redis'] : [], checks };
    },
  };
}
