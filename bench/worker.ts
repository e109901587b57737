// `npm run bench:worker`: email jobs per second through BullMQ into a loopback SMTP sink with the
// real compiled worker (`node dist/worker.js`), against a no-op BullMQ worker (same Redis,
// same concurrency) in the same run. Writes bench/worker-results.md (generated only).
// BENCH_WORKER_JOBS (default 2000), BENCH_REDIS_URL (default redis://127.0.0.1:6379).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { MongoMemoryServer } from 'mongodb-memory-server';
import { SMTPServer } from 'smtp-server';
import { parseConfig } from '../src/config/schema';
import { createBullEmailQueue } from '../src/jobs/email/email.queue';
import { projectRoot, run, startNodeProcess } from './processes';

const JOBS = Number(process.env.BENCH_WORKER_JOBS ?? 2000);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const say = (message: string) => process.stdout.write(`${message}\n`);

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function startSmtpSink(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.once('end', () => {
        received += 1;
        callback();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.server.address() as { port: number };
      resolve({ port, received: () => received, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

const CONCURRENCY = 5; // EMAIL_WORKER_CONCURRENCY's default, used by both workers

/** The real worker process delivering welcome emails to the SMTP sink. Returns jobs/s. */
async function realWorker(mongoUri: string): Promise<number> {
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const sink = await startSmtpSink();
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOG_TO_FILES: 'false',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    EMAIL_WORKER_CONCURRENCY: String(CONCURRENCY),
    MONGODB_URI: mongoUri,
    MONGODB_DB_NAME: 'benchworker',
  };
  const config = parseConfig(env);
  const worker = await startNodeProcess('worker', 'dist/worker.js', env, 60_000, 'WORKER_HEALTH_PORT');
  const producerRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const producer = createBullEmailQueue(config, producerRedis);
  try {
    const started = Date.now();
    for (let i = 0; i < JOBS; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, JOBS - i) }, (_, k) => producer.enqueue({ kind: 'welcome', to: `user${i + k}@bench.local`, data: { name: 'Bench' }, jobId: `welcome:bench-${i + k}` })),
      );
    }
    await until('all emails delivered', () => sink.received() >= JOBS);
    return JOBS / ((Date.now() - started) / 1000);
  } finally {
    await producer.close();
    // The producer works on a duplicate; the connection handed to it is ours to close, or this
    // process would never exit.
    producerRedis.disconnect();
    await worker.stop();
    await sink.close();
  }
}

/** Baseline: a BullMQ worker whose processor does nothing, same Redis and concurrency. Returns jobs/s. */
async function noopWorker(): Promise<number> {
  const prefix = `bench:${randomBytes(4).toString('hex')}:bull`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queueConnection = connection.duplicate();
  const queue = new Queue('email', { connection: queueConnection, prefix });
  let completed = 0;
  const worker = new Worker('email', async () => undefined, { connection, prefix, concurrency: CONCURRENCY });
  worker.on('completed', () => (completed += 1));
  try {
    const started = Date.now();
    for (let i = 0; i < JOBS; i += 200) {
      await queue.addBulk(Array.from({ length: Math.min(200, JOBS - i) }, (_, k) => ({ name: 'send', data: { n: i + k }, opts: { jobId: `noop-${i + k}`, removeOnComplete: true } })));
    }
    await until('all no-op jobs completed', () => completed >= JOBS);
    return JOBS / ((Date.now() - started) / 1000);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    // BullMQ does not close connections it was given.
    queueConnection.disconnect();
    connection.disconnect();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    say('Building (npm run build)…');
    await run('npm', ['run', 'build']);
  }
  const mongo = await MongoMemoryServer.create();
  try {
    say(`→ no-op BullMQ worker, ${JOBS} jobs`);
    const baseline = await noopWorker();
    say(`  ${baseline.toFixed(0)} jobs/s`);
    say(`→ real worker (dist/worker.js) → loopback SMTP, ${JOBS} jobs`);
    const real = await realWorker(mongo.getUri());
    say(`  ${real.toFixed(0)} jobs/s`);
    const cpus = os.cpus();
    const out = path.join(projectRoot, 'bench', 'worker-results.md');
    fs.writeFileSync(
      out,
      [
        '# Email worker benchmark',
        '',
        `> Generated by \`${process.env.BENCH_WORKER_JOBS ? `BENCH_WORKER_JOBS=${JOBS} ` : ''}npm run bench:worker\` on ${startedAt.toISOString()} — do not edit by hand.`,
        `> ${JOBS} welcome emails enqueued through the API's BullMQ producer; time from the first enqueue until the loopback SMTP`,
        `> sink has received the last message. Baseline: a BullMQ worker with an empty processor, same Redis, concurrency ${CONCURRENCY}, same run.`,
        '',
        `- Machine: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores (shared), Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
        '',
        '| worker | jobs/s | ratio to no-op |',
        '|---|---|---|',
        `| no-op BullMQ worker | ${baseline.toFixed(0)} | 100% |`,
        `| real worker: render template + SMTP delivery | ${real.toFixed(0)} | ${Math.round((real / baseline) * 100)}% |`,
        '',
      ].join('\n'),
    );
    say(`✓ Wrote ${path.relative(projectRoot, out)}`);
  } finally {
    await mongo.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:worker failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
