// npm run test:e2e — starts the real API (seeded when a seed script exists) against a throw-away
// MongoDB and the local Redis under a unique key prefix, then runs the generated Postman
// collection with Newman in its folder order (Auth → Accounts → Products → Orders → Admin → Ops).
// Exit code 1 on any failed assertion or request error.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_ACCOUNTS } from '../src/services/account.seed';
import { projectRoot } from './lib/artifacts';
import { deleteRedisKeys, freePort, startMongo, uniquePrefix, waitForHttp200 } from './lib/processes';

interface NewmanSummary {
  run: { failures: { error: { message: string }; source?: { name?: string } }[]; stats: { assertions: { total: number; failed: number }; requests: { total: number } } };
}
// newman ships no type declarations; this is the part of its API we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const newman = require('newman') as { run(options: object, callback: (err: Error | null, summary: NewmanSummary) => void): void };

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const collection = path.join(projectRoot, 'postman', 'commerce-api.postman_collection.json');
const environment = path.join(projectRoot, 'postman', 'local.postman_environment.json');

/**
 * The committed local environment already carries the demo manager and admin that `npm run seed`
 * creates; E2E_<ROLE>_EMAIL / E2E_<ROLE>_PASSWORD name other accounts.
 */
function staffCredentials(): { key: string; value: string }[] {
  return DEMO_ACCOUNTS.filter((demo) => demo.role !== 'customer').flatMap((demo) => {
    const role = demo.role.toUpperCase();
    const email = process.env[`E2E_${role}_EMAIL`];
    const password = process.env[`E2E_${role}_PASSWORD`];
    return [...(email ? [{ key: `${demo.role}Email`, value: email }] : []), ...(password ? [{ key: `${demo.role}Password`, value: password }] : [])];
  });
}

function runNewman(baseUrl: string): Promise<NewmanSummary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection,
        environment,
        envVar: [
          { key: 'baseUrl', value: baseUrl },
          ...staffCredentials(),
        ],
        reporters: ['cli'],
        timeoutRequest: 15_000,
      },
      (err, summary) => (err ? reject(err) : resolve(summary)),
    );
  });
}

function seedIfAvailable(env: NodeJS.ProcessEnv): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  if (!pkg.scripts.seed) {
    process.stdout.write('== no seed script yet: running against an empty database\n');
    return;
  }
  const result = spawnSync('npm', ['run', 'seed'], { cwd: projectRoot, env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('seeding failed');
}

async function main(): Promise<number> {
  const mongo = await startMongo();
  const port = await freePort();
  const prefix = uniquePrefix('e2e');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    MONGODB_URI: mongo.uri,
    MONGODB_DB_NAME: `e2e_${prefix.split(':')[1]}`,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    LOG_TO_FILES: 'false',
  };
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: projectRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    seedIfAvailable(env);
    await waitForHttp200(`http://127.0.0.1:${port}/ready`, 60_000);
    const summary = await runNewman(`http://127.0.0.1:${port}`);
    const { assertions, requests } = summary.run.stats;
    const failures = summary.run.failures.length;
    process.stdout.write(`== newman: ${requests.total} requests, ${assertions.total} assertions, ${assertions.failed} failed, ${failures} failures\n`);
    return failures === 0 && assertions.failed === 0 && requests.total > 0 ? 0 : 1;
  } finally {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    await deleteRedisKeys(REDIS_URL, prefix).catch(() => undefined);
    await mongo.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`e2e failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
