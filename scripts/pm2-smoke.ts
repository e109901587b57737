// npm run test:pm2 — runs prod/ecosystem.config.js under a real PM2 with a private PM2_HOME (never
// a global daemon): build, start every declared app whose compiled script exists, /ready answers
// 200, every app stays up without a restart (a crash loop shows as "online" between restarts), a
// sign-up's welcome email reaches a loopback SMTP sink through the PM2-managed worker, `pm2 reload
// commerce-api` under a light loopback load completes with zero failed requests, then
// `pm2 delete all` + `pm2 kill` leave no process behind.
// The operator's path (DEPLOYMENT-NOTES.md): the apps read a .env.prod derived from
// prod/.env.example with only the required values filled, started WITHOUT `--env production`
// (the prod folder means production); after a burst that exhausts the global rate limit the probes
// still answer 200; the PM2 log files are JSON lines (`jq` parses every line) ending with
// "Shutdown complete"; and a bad variable's message lands in PM2's error log in cluster mode.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startSmtpServer, type TestSmtpServer } from '../tests/support/email-smtp';
import { projectRoot } from './lib/artifacts';
import { deriveEnvProd, ECOSYSTEM, isAlive, jqRecords, pm2, PM2, type PmProcess } from './lib/pm2';
import { deleteRedisKeys, freePort, pollUntil, startMongo, uniquePrefix, waitForHttp200, withoutServiceConfig } from './lib/processes';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const GLOBAL_LIMIT = 30;

/** Anonymous API calls until the global limit answers 429, then every probe must still answer 200. */
async function assertProbesSurviveRateLimit(baseUrl: string): Promise<void> {
  let refused = 0;
  for (let i = 0; i < GLOBAL_LIMIT * 3 && !refused; i += 1) if ((await fetch(`${baseUrl}/api/v1/products`)).status === 429) refused = i + 1;
  if (!refused) throw new Error(`the global limit (${GLOBAL_LIMIT}) never answered 429`);
  for (const probe of ['/health', '/ready', '/metrics']) {
    for (let i = 0; i < 5; i += 1) {
      const status = (await fetch(`${baseUrl}${probe}`)).status;
      if (status !== 200) throw new Error(`${probe} answered ${status} after the global limit was exhausted`);
    }
  }
}

/** A bad variable under PM2 cluster mode: its message must reach PM2's error log. */
async function assertBadConfigReachesErrorLog(base: NodeJS.ProcessEnv, envFile: string): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-home-bad-'));
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-logs-bad-'));
  const bad = path.join(logs, '.env.prod');
  const kept = fs.readFileSync(envFile, 'utf8').split('\n').filter((line) => !/^(PORT|LOG_DIR)=/.test(line));
  fs.writeFileSync(bad, [...kept, 'PORT=not-a-port', `LOG_DIR=${logs}`, ''].join('\n'));
  const env = { ...base, PM2_HOME: home, ENV_FILE: bad };
  try {
    pm2(env, 'start', ECOSYSTEM, '--only', 'commerce-api');
    const errLog = path.join(logs, 'api.err.log');
    await pollUntil('the bad variable named in api.err.log', async () => (fs.existsSync(errLog) && /PORT/.test(fs.readFileSync(errLog, 'utf8')) ? true : undefined), 30_000);
    const record = jqRecords(errLog).find((r) => Array.isArray(r.problems));
    if (!record || !String(record.problems).includes('PORT')) throw new Error('api.err.log holds no JSON record naming PORT');
  } finally {
    spawnSync(PM2, ['kill'], { cwd: projectRoot, env, encoding: 'utf8', timeout: 60_000 });
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(logs, { recursive: true, force: true });
  }
}

function log(message: string): void {
  process.stdout.write(`== ${message}\n`);
}

/** Apps the ecosystem declares whose compiled script exists (the worker arrives with issue 6). */
function runnableApps(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { apps } = require(ECOSYSTEM) as { apps: { name: string; script: string; cwd: string }[] };
  return apps.filter((app) => {
    const exists = fs.existsSync(path.resolve(app.cwd, app.script));
    if (!exists) log(`skipping ${app.name}: ${app.script} does not exist yet`);
    return exists;
  }).map((app) => app.name);
}

async function reloadUnderLoad(env: NodeJS.ProcessEnv, url: string): Promise<autocannon.Result> {
  // Bounded, loopback-only load: 4 connections at most 100 requests/s in total.
  let load: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    load = autocannon({ url, connections: 4, overallRate: 100, duration: 120 }, (err, result) => (err ? reject(err) : resolve(result)));
  });
  await pollUntil('first responses under load', async () => ((await fetch(url)).ok ? true : undefined), 10_000);
  log('pm2 reload commerce-api (under load)');
  pm2(env, 'reload', 'commerce-api');
  await waitForHttp200(url, 30_000);
  load?.stop();
  return finished;
}

/** Every app online with zero restarts, checked twice a few seconds apart: a crash-looping app is "online" between crashes. */
async function assertStable(env: NodeJS.ProcessEnv, apps: readonly string[]): Promise<PmProcess[]> {
  let list: PmProcess[] = [];
  for (const pause of [0, 3000]) {
    await new Promise((resolve) => setTimeout(resolve, pause));
    list = JSON.parse(pm2(env, 'jlist')) as PmProcess[];
    const states = JSON.stringify(list.map((p) => [p.name, p.pm2_env.status, `restarts=${p.pm2_env.restart_time}`]));
    for (const name of apps) {
      const own = list.filter((p) => p.name === name);
      if (!own.length || own.some((p) => p.pm2_env.status !== 'online' || p.pm2_env.restart_time > 0)) {
        throw new Error(`${name} is not steadily online: ${states}; see logs/${name === 'commerce-api' ? 'api' : 'worker'}.err.log`);
      }
    }
  }
  return list;
}

/** A sign-up through the API; its welcome email must arrive at the sink through the worker PM2 runs. */
async function assertWorkerDelivers(baseUrl: string, smtp: TestSmtpServer): Promise<void> {
  const email = `pm2-smoke-${Date.now()}@example.com`;
  const res = await fetch(`${baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ firstName: 'Smoke', lastName: 'Test', email, password: 'correct horse battery staple' }),
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  await pollUntil('welcome email delivered by commerce-worker', async () => (smtp.received.some((m) => m.to.includes(email)) ? true : undefined), 30_000);
}

async function main(): Promise<void> {
  log('npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: projectRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');

  const mongo = await startMongo();
  const smtp = await startSmtpServer();
  const port = await freePort();
  const prefix = uniquePrefix('pm2smoke');
  const pm2Home = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-home-'));
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-logs-'));
  const envFile = path.join(logDir, '.env.prod');
  deriveEnvProd(envFile, {
    // The six required values (the smoke run never calls Stripe: test-mode keys are enough)…
    MONGODB_URI: mongo.uri,
    REDIS_URL,
    JWT_SECRET: `smoke-${prefix}-${'x'.repeat(40)}`,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    STRIPE_SECRET_KEY: 'sk_test_pm2smoke0123',
    STRIPE_WEBHOOK_SECRET: 'whsec_pm2_smoke_secret_0123',
    // …and what this throw-away host needs (its own port, database, key prefix, SMTP sink, logs).
    HOST: '127.0.0.1',
    PORT: String(port),
    TRUST_PROXY: 'false',
    MONGODB_DB_NAME: `pm2smoke_${prefix.split(':')[1]}`,
    REDIS_KEY_PREFIX: prefix,
    SMTP_URL: smtp.url,
    CLUSTER_INSTANCES: '2',
    RATE_LIMIT_MAX: String(GLOBAL_LIMIT),
    LOG_DIR: logDir,
  });
  // Nothing from the caller's shell configures the apps: only the derived env file does.
  const env: NodeJS.ProcessEnv = { ...withoutServiceConfig(process.env), PM2_HOME: pm2Home, ENV_FILE: envFile };
  const pids: number[] = [];
  const stillRunning: number[] = [];
  try {
    const apps = runnableApps();
    log(`pm2 start ${apps.join(', ')} (PM2_HOME=${pm2Home})`);
    // Deliberately without `--env production`: the prod folder must not start as development.
    pm2(env, 'start', ECOSYSTEM, '--only', apps.join(','));
    const ready = `http://127.0.0.1:${port}/ready`;
    await waitForHttp200(ready, 60_000);
    log('/ready answers 200');
    const list = await assertStable(env, apps);
    pids.push(...list.map((p) => p.pid));
    for (const name of apps) log(`${name}: ${list.filter((p) => p.name === name).length} online, no restarts`);
    const profiles = new Set(list.map((p) => p.pm2_env.env?.NODE_ENV ?? p.pm2_env.NODE_ENV));
    if (profiles.size !== 1 || !profiles.has('production')) throw new Error(`apps run as ${[...profiles].join(', ')}, not production`);
    log('started without --env production, every app runs as production');
    if (apps.includes('commerce-worker')) {
      await assertWorkerDelivers(`http://127.0.0.1:${port}`, smtp);
      log('a sign-up\'s welcome email was delivered through commerce-worker');
    }

    const result = await reloadUnderLoad(env, `http://127.0.0.1:${port}/health`);
    const failed = result.errors + result.timeouts + result.non2xx;
    log(`load during reload: ${result.requests.total} requests, ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
    if (result.requests.total === 0 || failed > 0) throw new Error('requests failed during pm2 reload');
    const after = JSON.parse(pm2(env, 'jlist')) as PmProcess[];
    pids.push(...after.map((p) => p.pid));
    const api = (processes: PmProcess[]) => processes.filter((p) => p.name === 'commerce-api');
    if (!api(after).every((p) => p.pm2_env.status === 'online')) throw new Error('an API instance is not online after reload');
    // Proof that the reload really replaced every instance while the load ran.
    if (api(after).some((p) => api(list).some((old) => old.pid === p.pid))) throw new Error('pm2 reload left an old instance running');
    log(`every API instance replaced (${api(list).map((p) => p.pid).join(',')} → ${api(after).map((p) => p.pid).join(',')})`);

    await assertProbesSurviveRateLimit(`http://127.0.0.1:${port}`);
    log(`after the global limit (${GLOBAL_LIMIT}) answered 429, /health, /ready and /metrics still answer 200`);
  } finally {
    const pidFile = path.join(pm2Home, 'pm2.pid');
    const daemonPid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : 0;
    if (daemonPid) pids.push(daemonPid);
    log('pm2 delete all && pm2 kill');
    pm2(env, 'delete', 'all');
    pm2(env, 'kill');
    const leftovers = await pollUntil('every PM2 process gone', async () => (pids.some(isAlive) ? undefined : []), 20_000).catch(() => pids.filter(isAlive));
    await deleteRedisKeys(REDIS_URL, prefix).catch(() => undefined);
    fs.rmSync(pm2Home, { recursive: true, force: true });
    stillRunning.push(...leftovers);
  }
  if (stillRunning.length) throw new Error(`processes still running after pm2 kill: ${stillRunning.join(', ')}`);
  log('nothing left running');

  try {
    await assertLogFiles(logDir);
    await assertBadConfigReachesErrorLog(withoutServiceConfig(process.env), envFile);
    log('a bad variable (PORT=not-a-port) is named in api.err.log under PM2 cluster mode');
  } finally {
    await mongo.stop();
    await smtp.close();
    fs.rmSync(logDir, { recursive: true, force: true });
  }
}

/** After `pm2 delete`: the files are JSON lines and nothing logged before exit was lost. */
async function assertLogFiles(logDir: string): Promise<void> {
  const out = jqRecords(path.join(logDir, 'api.out.log'));
  jqRecords(path.join(logDir, 'api.err.log'));
  const completed = out.filter((r) => r.message === 'Shutdown complete').length;
  const started = out.filter((r) => r.message === 'Shutdown started').length;
  if (!completed || completed !== started) throw new Error(`api.out.log: ${started} "Shutdown started" but ${completed} "Shutdown complete"`);
  log(`PM2 log files are JSON lines (jq parsed ${out.length} records); every "Shutdown started" has its "Shutdown complete" (${completed})`);
}

main().then(
  () => {
    log('PM2 smoke test passed');
    process.exit(0);
  },
  (err: Error) => {
    process.stderr.write(`PM2 smoke test failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
