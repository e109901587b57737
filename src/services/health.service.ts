// Liveness and readiness: is the process up, and can it reach what it depends on.
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
  readonly checks: Readonly<Record<string, DependencyCheck>>;
}

export interface HealthService {
  liveness(): { status: 'ok'; uptimeSeconds: number; version: string; timestamp: string };
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
      return {
        status: 'ok',
        uptimeSeconds: Math.round(process.uptime()),
        version: deps.version,
        timestamp: new Date().toISOString(),
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
      const ready = !draining && Object.values(checks).every((c) => c.status !== 'down');
      return { ready, draining, checks };
    },
  };
}
