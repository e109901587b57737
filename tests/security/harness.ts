// The attack-suite harness: one Jest test per vector. Each vector names the route it attacks, the
// payload and the expected defence; the test fails when that route is not mounted (so a vector can
// never pass vacuously), runs the attack over HTTP, asserts the defence held and records what it
// observed. `npm run security:report` turns the records and Jest's verdicts into SECURITY-REPORT.md.
import fs from 'node:fs';
import path from 'node:path';
import type { Response } from 'supertest';
import { fullPath, type RouteDefinition } from '../../src/routes/route-table';

export interface Vector {
  /** Stable id, e.g. NOSQL-01: the report's sort key and the test title's prefix. */
  readonly id: string;
  /** What is attacked, e.g. "NoSQL operator injection in login". */
  readonly vector: string;
  /** `METHOD /path` as declared in the route table (e.g. `POST /api/v1/auth/login`), or `*` for app-wide. */
  readonly route: string;
  /** The request, as a reader would reproduce it. No random ids: the report must be deterministic. */
  readonly payload: string;
  /** The defence that must hold. */
  readonly expected: string;
}

export interface VectorRecord extends Vector {
  readonly observed: string;
  readonly file: string;
}

/** `401 TOKEN_INVALID` — status and error code: what a client sees, with nothing run-specific. */
export function observe(res: Response): string {
  const code = res.body && typeof res.body === 'object' && 'code' in res.body ? ` ${String(res.body.code)}` : '';
  return `${res.status}${code}`;
}

export function routeKey(route: RouteDefinition): string {
  return `${route.method.toUpperCase()} ${fullPath(route)}`;
}

const records: VectorRecord[] = [];
let resultsFile: string | null = null;

function assertRouteMounted(vector: Vector, routes: () => readonly RouteDefinition[]): void {
  if (vector.route === '*') return;
  const mounted = routes().map(routeKey);
  if (!mounted.includes(vector.route)) {
    throw new Error(`${vector.id}: route "${vector.route}" is not mounted, so this vector cannot be tested (mounted: ${mounted.length} routes)`);
  }
}

/** Records what the attack observed (a response → `observe(res)`, or a prepared string) and hands it back. */
export type See = <T extends Response | string>(observation: T) => T;

/**
 * Declares one vector as one test. `run` performs the request(s), passes each response that
 * decides the verdict through `see` (the last one is reported) and asserts the defence with `expect`.
 * A failing assertion still reports what was observed, with the verdict FAIL.
 */
export function attack(vector: Vector, routes: () => readonly RouteDefinition[], run: (see: See) => Promise<unknown>): void {
  const testFile = path.basename(expect.getState().testPath ?? 'unknown');
  resultsFile ??= process.env.SECURITY_RESULTS_DIR ? path.join(process.env.SECURITY_RESULTS_DIR, `${testFile}.json`) : null;
  it(`${vector.id} ${vector.vector}: when ${vector.payload}, then ${vector.expected}`, async () => {
    let observed = 'not reached';
    const see: See = (observation) => {
      observed = typeof observation === 'string' ? observation : observe(observation as Response);
      return observation;
    };
    try {
      assertRouteMounted(vector, routes);
      await run(see);
    } catch (err) {
      if (observed === 'not reached') observed = err instanceof Error ? err.message.split('\n')[0] : 'error';
      throw err;
    } finally {
      records.push({ ...vector, observed, file: testFile });
    }
  });
}

afterAll(() => {
  if (!resultsFile) return;
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(records, null, 2));
});
