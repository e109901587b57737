// Spawning the real server process (as PM2 or a shell would) and reading its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testMongoUri, uniqueDbName } from './db';
import { hermeticEnv, testKeyPrefix } from './env';

export const projectRoot = path.resolve(__dirname, '..', '..');

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly stderr: string[];
  /** Resolves with the first log record matching `predicate` (rejects after `timeoutMs`). */
  waitForLog(predicate: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function spawnServer(env: Record<string, string | undefined> = {}, entry = 'src/server.ts'): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: projectRoot,
    env: {
      ...hermeticEnv(),
      NODE_ENV: 'test',
      REDIS_KEY_PREFIX: testKeyPrefix(),
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      LOG_TO_FILES: 'false',
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: testMongoUri(),
      MONGODB_DB_NAME: uniqueDbName('proc'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters: { predicate: (r: Record<string, unknown>) => boolean; resolve: (r: Record<string, unknown>) => void }[] = [];
  let buffer = '';
  const onRecord = (record: Record<string, unknown>) => {
    lines.push(record);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(record)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    }
  };
  const consume = (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('{')) {
        try {
          onRecord(JSON.parse(line));
        } catch {
          /* not a log record */
        }
      }
      newline = buffer.indexOf('\n');
    }
  };
  child.stdout!.on('data', consume);
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    consume(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr,
    exited,
    // A deadline, not a timing target: tsx transpiles the whole tree at start-up, which takes seconds on a busy 2-core machine.
    waitForLog(predicate, timeoutMs = 60_000) {
      const found = lines.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`log line not seen within ${timeoutMs} ms; stderr: ${stderr.join('')}`)), timeoutMs);
        waiters.push({
          predicate,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
      });
    },
  };
}

export function portFromStartLine(record: Record<string, unknown>): number {
  const match = /port (\d+)/.exec(String(record.message));
  if (!match) throw new Error(`no port in ${String(record.message)}`);
  return Number(match[1]);
}
