// The analytics scenarios' data: tops the bench database up to N paid orders and rebuilds the
// rollups (bench/seed-orders.ts, a child process like bench/seed.ts), and says what that took.
import { run } from './processes';
import { ANALYTICS_DAYS } from './scenarios';

export interface OrdersSeeded {
  orders: number;
  inserted: number;
  insertMs: number;
  rebuildMs: number;
  rebuiltOrders: number;
  rollups: number;
  keysExamined: number | null;
  docsExamined: number | null;
}

/**
 * Tops the database up to `orders` paid orders over the 90 days before the analytics range's end
 * and rebuilds the rollups (bench/seed-orders.ts, a child process like bench/seed.ts). Returns what
 * it did, for the scenario's note: the insert and rebuild times, and the docs the query examines.
 */
export async function seedOrders(env: Record<string, string>, analyticsNow: string, orders: number, say: (line: string) => void): Promise<OrdersSeeded> {
  say(`  seeding ${orders.toLocaleString('en-US')} orders and rebuilding the rollups…`);
  const out = await run(process.execPath, ['--import', 'tsx', 'bench/seed-orders.ts'], {
    ...env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOG_TO_FILES: 'false',
    LOG_TO_STDOUT: 'true',
    BENCH_SEED_ORDERS: String(orders),
    BENCH_SEED_DAYS: String(ANALYTICS_DAYS),
    BENCH_SEED_NOW: analyticsNow,
  });
  const line = out.split('\n').findLast((l) => l.startsWith('{"orders"'));
  if (!line) throw new Error(`seed-orders printed no result: ${out.slice(-2000)}`);
  const seeded = JSON.parse(line) as OrdersSeeded;
  say(`  ${JSON.stringify(seeded)}`);
  return seeded;
}

export function seededNote(x: OrdersSeeded): string {
  return (
    `${x.orders.toLocaleString('en-US')} orders in the database (${x.inserted.toLocaleString('en-US')} inserted in ${(x.insertMs / 1000).toFixed(1)} s); ` +
    `analytics rebuild over them: ${(x.rebuildMs / 1000).toFixed(1)} s for ${x.rebuiltOrders.toLocaleString('en-US')} orders → ${x.rollups} hourly rollups; ` +
    `explain of the sales series: ${x.keysExamined} keys, ${x.docsExamined} docs examined`
  );
}

/** One request on an idle server, before the load: its status, latency and size. */
export async function timeOne(url: string, headers: Record<string, string> | undefined): Promise<string> {
  const started = performance.now();
  const res = await fetch(url, { headers });
  const bytes = (await res.text()).length;
  return `${res.status} in ${Math.round(performance.now() - started)} ms, ${bytes} bytes`;
}
