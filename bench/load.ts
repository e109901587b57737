// One measured scenario: autocannon for a fixed duration and concurrency after a warm-up,
// counting every status code so designed answers (409) are told apart from real errors.
import autocannon from 'autocannon';

/**
 * One request of a sequence every connection runs in order, again and again (a customer's add-to-cart
 * then checkout). `context` belongs to the connection and starts empty at each pass of the sequence.
 */
export interface SequenceStep {
  setup(context: Record<string, unknown>): { readonly method: 'GET' | 'POST'; readonly path: string; readonly headers?: Record<string, string>; readonly body?: string };
  onResponse?(status: number, context: Record<string, unknown>): void;
}

export interface LoadSpec {
  readonly url: string;
  /** Paths cycled through by all connections (one path is a hot-key read). */
  readonly paths: readonly string[];
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  /** Builds a POST body per request. */
  readonly body?: () => string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Statuses that count as success besides 2xx (e.g. 409 for a sold-out checkout). */
  readonly designedStatuses?: readonly number[];
  /** Instead of `paths`/`body`: the requests each connection runs in turn. */
  readonly sequence?: readonly SequenceStep[];
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly errors: number;
  readonly designed: number;
  readonly statuses: Record<string, number>;
}

/** One autocannon run's raw outcome, kept so several runs of one scenario can be merged. */
export interface LoadSample {
  readonly requests: number;
  readonly seconds: number;
  readonly times: number[];
  readonly statuses: Record<string, number>;
  readonly socketErrors: number;
}

export async function sample(spec: LoadSpec): Promise<LoadSample> {
  let next = 0;
  // autocannon's summary has no p95, so every response time is recorded and ranked here.
  const times: number[] = [];
  let finish: (err: Error | null, result: autocannon.Result) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (err, result) => (err ? reject(err) : resolve(result));
  });
  const instance = autocannon(
    {
      url: spec.url,
      connections: spec.connections,
      duration: spec.durationSeconds,
      method: spec.method ?? 'GET',
      headers: { ...(spec.body ? { 'content-type': 'application/json' } : {}), ...spec.headers },
      requests: spec.sequence
        ? spec.sequence.map((step) => ({
            setupRequest: (request: autocannon.Request, context: object) => {
              const { headers, ...rest } = step.setup(context as Record<string, unknown>);
              return { ...request, ...rest, headers: { ...request.headers, ...(rest.body ? { 'content-type': 'application/json' } : {}), ...headers } };
            },
            ...(step.onResponse && { onResponse: (status: number, _body: string, context: object) => step.onResponse!(status, context as Record<string, unknown>) }),
          }))
        : [
            {
              setupRequest: (request) => {
                const path = spec.paths[next++ % spec.paths.length];
                return { ...request, path, ...(spec.body ? { body: spec.body() } : {}) };
              },
            },
          ],
    },
    (err, result) => finish(err, result),
  );
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => times.push(responseTime));
  const result = await done;
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (stat as { count: number }).count;
  return { requests: result.requests.total, seconds: result.duration, times, statuses, socketErrors: result.errors + result.timeouts };
}

/** Merges runs of one scenario: rps over their summed time, percentiles over every response. */
export function summarize(samples: readonly LoadSample[], designedStatuses: readonly number[] = []): LoadResult {
  const times = samples.flatMap((s) => s.times).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of samples) for (const [code, count] of Object.entries(s.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
  const designedSet = new Set(designedStatuses.map(String));
  let designed = 0;
  let failed = 0;
  for (const [code, count] of Object.entries(statuses)) {
    if (designedSet.has(code)) designed += count;
    else if (!code.startsWith('2')) failed += count;
  }
  const rank = (q: number) => (times.length ? Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10 : Number.NaN);
  const requests = samples.reduce((sum, s) => sum + s.requests, 0);
  const seconds = samples.reduce((sum, s) => sum + s.seconds, 0);
  return {
    requests,
    rps: Math.round(requests / Math.max(seconds, 1e-9)),
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    // Socket errors and timeouts count as errors too.
    errors: failed + samples.reduce((sum, s) => sum + s.socketErrors, 0),
    designed,
    statuses,
  };
}

export async function measure(spec: LoadSpec): Promise<LoadResult> {
  return summarize([await sample(spec)], spec.designedStatuses);
}
