// Test runs must not depend on the developer's shell or on stray env files in the checkout: an
// exported REDIS_URL or a .env.prod must not change what the suite tests. Every variable the
// config schema reads is dropped from the inherited environment, and the run's Redis keys live
// under one run prefix that global teardown removes.
import { randomBytes } from 'node:crypto';
import { withoutServiceConfig } from '../../scripts/lib/processes';

/** process.env without anything the service's config would read (tool and harness variables stay). */
export function hermeticEnv(): NodeJS.ProcessEnv {
  return withoutServiceConfig(process.env);
}

/** Set by global setup: every Redis key the run writes starts with it. */
export function runKeyPrefix(): string {
  return process.env.TEST_REDIS_RUN_PREFIX ?? 'test:';
}

/** A Redis key prefix of its own for one test context or process, inside the run's prefix. */
export function testKeyPrefix(): string {
  return `${runKeyPrefix()}${randomBytes(5).toString('hex')}:`;
}
