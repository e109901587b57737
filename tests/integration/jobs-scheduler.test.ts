// The maintenance scheduler on the real Redis: a registered task runs on its interval, once per
// interval however many worker processes register it.
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { AppConfig } from '../../src/config';
import { workerConnection } from '../../src/jobs/email/worker';
import { createMaintenanceScheduler, type MaintenanceScheduler } from '../../src/jobs/scheduler';
import { createRedisClient } from '../../src/loaders/redis';
import { testConfig } from '../support/app';
import { waitFor } from '../support/email-smtp';

describe('maintenance scheduler', () => {
  let config: AppConfig;
  let shared: Redis;
  const open: { scheduler: MaintenanceScheduler; connection: Redis }[] = [];

  function scheduler(): MaintenanceScheduler {
    const connection = workerConnection(shared);
    const created = createMaintenanceScheduler(config, connection);
    open.push({ scheduler: created, connection });
    return created;
  }

  beforeEach(async () => {
    config = testConfig({ REDIS_KEY_PREFIX: `test:${randomBytes(5).toString('hex')}:` });
    shared = createRedisClient(config.redis.url!, config.redis);
    await shared.connect();
  });

  afterEach(async () => {
    const [first] = open;
    if (first) await first.scheduler.queue.obliterate({ force: true });
    for (const { scheduler: s, connection } of open.splice(0)) {
      await s.close(2000);
      await connection.quit();
    }
    await shared.quit();
  });

  it('when two worker processes register the same task, then it runs once per interval, not once per process', async () => {
    const runs: number[] = [];
    const handler = async () => {
      runs.push(Date.now());
      return { swept: 0 };
    };
    await scheduler().registerRepeatable('sweep-test', 1000, handler);
    await scheduler().registerRepeatable('sweep-test', 1000, handler);

    await waitFor(() => runs.length >= 3, 10_000, 'three runs');
    const gaps = runs.slice(1).map((t, i) => t - runs[i]);
    // Two processes each running it would produce near-zero gaps; the scheduler keeps ~1 s.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(800);
    expect(await open[0].scheduler.queue.getJobSchedulersCount()).toBe(1);
  });

  it('when a task is registered with a bad name or a sub-second interval, then registration is refused', async () => {
    const s = scheduler();
    await expect(s.registerRepeatable('Bad Name', 60_000, async () => undefined)).rejects.toThrow(/invalid maintenance task name/);
    await expect(s.registerRepeatable('too-often', 10, async () => undefined)).rejects.toThrow(/at most once a second/);
    expect(await s.queue.getJobSchedulersCount()).toBe(0);
  });

  it('when a task is unregistered, then its schedule is removed', async () => {
    const s = scheduler();
    await s.registerRepeatable('short-lived', 60_000, async () => undefined);
    expect(await s.queue.getJobSchedulersCount()).toBe(1);
    await s.unregister('short-lived');
    expect(await s.queue.getJobSchedulersCount()).toBe(0);
  });
});
