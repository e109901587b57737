// A Redis restarted without persistence comes back empty: the maintenance schedules (stale-order
// sweep, abandoned-hold sweep) must be written again when the connection returns, not only when
// the worker process restarts.
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { workerConnection } from '../../src/jobs/email/worker';
import { createMaintenanceScheduler, type MaintenanceScheduler } from '../../src/jobs/scheduler';
import { createRedisClient } from '../../src/loaders/redis';
import { testConfig } from '../support/app';
import { createRedisInstance, pollUntil, type RedisInstance } from '../support/faults';

describe('resilience: maintenance schedules across a Redis restart', () => {
  let redis: RedisInstance;
  let shared: Redis;
  let connection: Redis;
  let scheduler: MaintenanceScheduler;

  beforeAll(async () => {
    redis = await createRedisInstance();
    await redis.start();
    const config = testConfig({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: `test:${randomBytes(5).toString('hex')}:` });
    shared = createRedisClient(redis.url, config.redis);
    await shared.connect();
    connection = workerConnection(shared);
    scheduler = createMaintenanceScheduler(config, connection);
  });

  afterAll(async () => {
    await scheduler?.close(2000);
    connection?.disconnect();
    shared?.disconnect();
    await redis?.kill();
  });

  it('when Redis restarts empty, then the schedule is there again once the connection is back', async () => {
    await scheduler.registerRepeatable('sweep-restart-test', 60_000, async () => undefined);
    expect((await scheduler.queue.getJobSchedulers()).map((s) => s.key)).toEqual(['sweep-restart-test']);

    await redis.kill();
    await redis.start();

    const schedules = await pollUntil(
      'the schedule re-asserted after the restart',
      async () => {
        const found = await scheduler.queue.getJobSchedulers();
        return found.length ? found : undefined;
      },
      15_000,
      200,
    );
    expect(schedules.map((s) => s.key)).toEqual(['sweep-restart-test']);
    expect(schedules[0]).toMatchObject({ every: 60_000 });
  });
});
