// The maintenance scheduler on the real Redis: a registered task runs on its interval, once per
// interval however many worker processes register it.
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { AppConfig } from '../../src/config';
import { workerConnection } from '../../src/jobs/email/worker';
import { bullPrefix } from '../../src/jobs/email/email.queue';
import { MAINTENANCE_QUEUE_NAME, createMaintenanceScheduler, type MaintenanceScheduler } from '../../src/jobs/scheduler';
import { createRedisClient } from '../../src/loaders/redis';
import { testConfig } from '../support/app';
import { waitFor } from '../support/email-smtp';
import { testKeyPrefix } from '../support/env';

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
    config = testConfig({ REDIS_KEY_PREFIX: testKeyPrefix() });
    shared = createRedisClient(config.redis.url!, config.redis);
    await shared.connect();
  });

  afterEach(async () => {
    for (const { scheduler: s, connection } of open.splice(0)) {
      await s.close(2000);
      await connection.quit();
    }
    const leftovers = new Queue(MAINTENANCE_QUEUE_NAME, { connection: shared, prefix: bullPrefix(config) });
    await leftovers.obliterate({ force: true });
    await leftovers.close();
    await shared.quit();
  });

  it('when two worker processes register the same task, then it runs once per interval, not once per process', async () => {
    let runs = 0;
    const handler = async () => {
      runs += 1;
      return { swept: 0 };
    };
    await scheduler().registerRepeatable('sweep-test', 1000, handler);
    await scheduler().registerRepeatable('sweep-test', 1000, handler);
    expect(await open[0].scheduler.queue.getJobSchedulersCount()).toBe(1);

    await waitFor(() => runs >= 3, 15_000, 'three runs');
    // Stop both "processes", then count: every run is one scheduled job, each scheduled interval
    // (the slot in the job id) has exactly one job, however slow the machine was.
    for (const { scheduler: s } of open) await s.close(2000);
    const reader = new Queue(MAINTENANCE_QUEUE_NAME, { connection: shared, prefix: bullPrefix(config) });
    try {
      const done = await reader.getJobs(['completed']);
      expect(done).toHaveLength(runs);
      const slots = done.map((job) => Number(/(\d+)$/.exec(String(job.id))![1])).sort((a, b) => a - b);
      expect(new Set(slots).size).toBe(runs);
      for (let i = 1; i < slots.length; i += 1) expect((slots[i] - slots[i - 1]) % 1000).toBe(0);
    } finally {
      await reader.close();
    }
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

  it('when a task is registered on a cron pattern in a time zone, then its scheduler carries both (one per name)', async () => {
    const handler = async () => ({ built: false });
    await scheduler().registerRepeatable('cron-test', { cron: '15 0 * * *', tz: 'Europe/Berlin' }, handler);
    await scheduler().registerRepeatable('cron-test', { cron: '15 0 * * *', tz: 'Europe/Berlin' }, handler);
    const schedulers = await open[0].scheduler.queue.getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: 'cron-test', pattern: '15 0 * * *', tz: 'Europe/Berlin' })]);
    // The next run is the next 00:15 in Berlin, whatever the machine's zone.
    const next = new Date(schedulers[0].next!);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next)).toBe('00:15');
  });
});
