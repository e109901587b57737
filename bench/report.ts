// Renders bench/results.md. The file is generated only: the narrative about what each change
// bought is kept in bench/changes.md and embedded verbatim, so no number is ever typed by hand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadResult } from './load';

export interface ScenarioRow {
  readonly key: string;
  readonly title: string;
  readonly connections: number;
  readonly note?: string;
  readonly skipped?: string;
  readonly result?: LoadResult;
  readonly baseline?: LoadResult;
  readonly rssBefore?: number;
  readonly rssAfter?: number;
  /** Server CPU time (user + system) per request during the measured window. */
  readonly cpuPerRequestUs?: number;
  readonly baselineCpuPerRequestUs?: number;
}

export interface LeakCheck {
  readonly durationSeconds: number;
  readonly rssAfterWarmup: number;
  readonly rssAfterRun: number;
  /** Heap after a full collection, after warm-up and after the run (MiB). */
  readonly heapAfterWarmup: number;
  readonly heapAfterRun: number;
  /** Median RSS of the first and of the last twenty one-second samples of the run. */
  readonly rssMedianStart: number;
  readonly rssMedianEnd: number;
  /** RSS every 10 s during the run, to show a trend rather than two points. */
  readonly rssSamples: readonly number[];
  readonly result: LoadResult;
}

export interface Report {
  readonly startedAt: Date;
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly rows: readonly ScenarioRow[];
  readonly leak?: LeakCheck;
  readonly command: string;
  /** os.loadavg() before the build and the database started (other work on the shared cores). */
  readonly loadAtStart: readonly number[];
  /** The node flags the API processes ran with (production's, prod/node-args.js, then any experiment's). */
  readonly nodeArgs: readonly string[];
}

const fmt = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));
const pct = (a: number, b: number) => `${Math.round((a / b) * 100)}%`;

function machine(loadAtStart: readonly number[]): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores (shared: the load generator, both API processes, MongoDB and Redis run on the same cores)`,
    `- Memory: ${Math.round(os.totalmem() / 2 ** 30)} GiB; OS: ${os.type()} ${os.release()}; Node ${process.version}`,
    `- Load average (1 / 5 / 15 min) when the run started: ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')}; when it ended: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
  ].join('\n');
}

/** Server CPU per request as a multiple of the bare app's in the same run (NaN without a baseline). */
function cpuMultiple(r: ScenarioRow | undefined): number {
  return r?.cpuPerRequestUs !== undefined && r.baselineCpuPerRequestUs ? r.cpuPerRequestUs / r.baselineCpuPerRequestUs : Number.NaN;
}

function table(rows: readonly ScenarioRow[]): string {
  const head =
    '| scenario | conns | rps | p50 ms | p95 ms | p99 ms | errors | designed 409 | server CPU µs/req | RSS before → after MiB | bare rps | bare p99 ms | bare CPU µs/req | ratio | CPU × bare |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map((r) => {
    if (!r.result) return `| ${r.title} | – | ${r.skipped ?? 'not run'} | | | | | | | | | | | | |`;
    const x = r.result;
    const ratio = r.baseline ? pct(x.rps, r.baseline.rps) : 'n/a';
    return `| ${r.title} | ${r.connections} | ${x.rps} | ${fmt(x.p50)} | ${fmt(x.p95)} | ${fmt(x.p99)} | ${x.errors} | ${x.designed} | ${fmt(r.cpuPerRequestUs, 0)} | ${fmt(r.rssBefore)} → ${fmt(r.rssAfter)} | ${r.baseline?.rps ?? '–'} | ${fmt(r.baseline?.p99)} | ${fmt(r.baselineCpuPerRequestUs, 0)} | ${ratio} | ${fmt(cpuMultiple(r))} |`;
  });
  return [head, ...lines].join('\n');
}

/** Issue 20's targets: server CPU per request as a multiple of the bare app's. */
const CPU_TARGETS = [
  { key: 'account-get', label: 'GET /accounts/:id (admin)', max: 6 },
  { key: 'accounts-list', label: 'GET /accounts?limit=10 (admin)', max: 10 },
  { key: 'orders-customer', label: 'GET /orders?limit=10 (customer)', max: 10 },
  { key: 'list-example', label: 'uncached example product query', max: 12 },
] as const;

/** The absolute latency targets (p99 at 50 connections): their verdict rows and the latency-floor section both read them here. */
const P99_TARGETS = {
  'product-cached': { label: 'cached product read', verdictLabel: 'p99 of cached reads', maxMs: 25 },
  'list-example': { label: 'uncached example product query', verdictLabel: 'p99 of the uncached example product query', maxMs: 100 },
} as const;

function targets(report: Report): string {
  const row = (key: string) => report.rows.find((r) => r.key === key);
  const ratio = (key: string) => {
    const r = row(key);
    return r?.result && r.baseline ? r.result.rps / r.baseline.rps : Number.NaN;
  };
  const check = (ok: boolean) => (ok ? '✅ met' : '❌ missed');
  const health = ratio('health');
  const cached = ratio('product-cached');
  const p99Target = (key: keyof typeof P99_TARGETS) => {
    const { verdictLabel, maxMs } = P99_TARGETS[key];
    const r = row(key);
    const bare = r?.baseline ? ` (bare app: ${fmt(r.baseline.p99)} ms)` : '';
    const p99 = r?.result?.p99 ?? Number.NaN;
    return `| ${verdictLabel} ≤ ${maxMs} ms at 50 connections | ${fmt(p99)} ms${bare} | ${r?.result ? check(p99 <= maxMs) : 'not run'} |`;
  };
  const errors = report.rows.reduce((sum, r) => sum + (r.result?.errors ?? 0), 0);
  const lines = [
    `| target | measured | verdict |`,
    `|---|---|---|`,
    `| /health ≥ 50% of bare Express | ${fmt(health * 100, 0)}% | ${check(health >= 0.5)} |`,
    `| cached product read ≥ 40% of bare Express | ${fmt(cached * 100, 0)}% | ${check(cached >= 0.4)} |`,
    p99Target('product-cached'),
    ...CPU_TARGETS.map(({ key, label, max }) => {
      const multiple = cpuMultiple(row(key));
      return `| ${label} ≤ ${max}× bare Express CPU/request | ${fmt(multiple)}× | ${row(key)?.result ? check(multiple <= max) : 'not run'} |`;
    }),
    p99Target('list-example'),
    `| zero non-designed errors | ${errors} | ${check(errors === 0)} |`,
  ];
  if (report.leak) {
    const { leak } = report;
    const growth = leak.rssMedianEnd / leak.rssMedianStart - 1;
    const pointGrowth = leak.rssAfterRun / leak.rssAfterWarmup - 1;
    const heapGrowth = leak.heapAfterRun / leak.heapAfterWarmup - 1;
    lines.push(
      `| no leak: RSS after ${leak.durationSeconds} s within 10% of after warm-up (median of 20 one-second samples at each end) | ${fmt(leak.rssMedianStart)} → ${fmt(leak.rssMedianEnd)} MiB (${fmt(growth * 100)}%) | ${check(growth <= 0.1)} |`,
      `| no leak: heap after a full GC within 10% of after warm-up | ${fmt(leak.heapAfterWarmup)} → ${fmt(leak.heapAfterRun)} MiB (${fmt(heapGrowth * 100)}%) | ${check(heapGrowth <= 0.1)} |`,
      '',
      `Single RSS readings right after warm-up and after the run: ${fmt(leak.rssAfterWarmup)} → ${fmt(leak.rssAfterRun)} MiB (${fmt(pointGrowth * 100)}%). ` +
        `RSS every 10 s during the run (MiB): ${leak.rssSamples.map((v) => fmt(v, 0)).join(' → ')}. ` +
        'RSS follows V8\'s committed heap, which swings by tens of MiB between collections whatever the live data; a leak shows in the heap after a full GC.',
    );
  }
  return lines.join('\n');
}

/**
 * What an absolute p99 target asks of this machine. The load generator is a closed loop: each
 * connection sends its next request when the last one is answered, so the mean latency is
 * connections / rps (Little's law), and the p99 is that mean times a tail factor. When the server's
 * tail factor is the bare app's, the tail is queueing, not a pause of the server's own, and only
 * more requests per second lower the p99: the table gives how many.
 */
function latencyFloor(report: Report): string {
  const rows = Object.entries(P99_TARGETS).flatMap(([key, { label, maxMs }]) => {
    const r = report.rows.find((row) => row.key === key);
    if (!r?.result || !r.baseline) return [];
    const mean = (rps: number) => (r.connections / rps) * 1000;
    const factor = (x: LoadResult) => x.p99 / mean(x.rps);
    const needed = (r.connections * 1000 * factor(r.result)) / maxMs;
    return [
      `| ${label} (p99 ≤ ${maxMs} ms) | ${r.result.rps} · ${fmt(mean(r.result.rps))} · ${fmt(r.result.p99)} · ${fmt(factor(r.result), 2)} | ` +
        `${r.baseline.rps} · ${fmt(mean(r.baseline.rps))} · ${fmt(r.baseline.p99)} · ${fmt(factor(r.baseline), 2)} | ${Math.ceil(needed)} rps (${pct(needed, r.baseline.rps)} of bare) |`,
    ];
  });
  if (!rows.length) return '';
  return [
    '### What the latency targets ask of this machine',
    '',
    'The load is a closed loop (each connection sends its next request when the last is answered), so the mean latency is connections / rps',
    "and the p99 is that mean times a tail factor. A server whose tail factor matches the bare app's has no pause of its own in its tail:",
    'only more requests per second lower its p99. The last column is the rate that would put the p99 on target at the server\'s own tail factor.',
    '',
    '| target | server: rps · mean ms · p99 ms · tail factor | bare app: rps · mean ms · p99 ms · tail factor | rps the target needs |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function renderReport(report: Report): string {
  const changes = path.join(__dirname, 'changes.md');
  return [
    '# Benchmark results',
    '',
    `> Generated by \`${report.command}\` on ${report.startedAt.toISOString()} — do not edit by hand; re-run the command.`,
    `> Each scenario: ${report.durationSeconds} s measured after a warm-up (in ${report.rounds} rounds alternating with the bare app where it has a baseline), against \`${['node', ...report.nodeArgs, 'dist/server.js'].join(' ')}\` with NODE_ENV=production,`,
    '> access log at info to files (LOG_TO_STDOUT=false), helmet/CORS/Redis-backed rate limit/timeout on, Redis cache, a 10,000-product catalog',
    '> on a single-node MongoDB replica set (mongodb-memory-server). "bare" is a bare Express 5 app returning the same JSON from',
    '> memory, measured in the same run; ratio = rps / bare rps; CPU × bare = server CPU per request / bare CPU per request. Errors are non-2xx answers other than designed ones, plus socket errors.',
    '',
    '## Machine',
    '',
    machine(report.loadAtStart),
    '',
    '## Targets',
    '',
    targets(report),
    '',
    latencyFloor(report),
    '',
    '## Scenarios',
    '',
    table(report.rows),
    '',
    ...report.rows.filter((r) => r.note).map((r) => `- **${r.title}**: ${r.note}`),
    '',
    fs.existsSync(changes) ? fs.readFileSync(changes, 'utf8').trim() : '',
    '',
  ].join('\n');
}
