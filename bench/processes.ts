// Child processes for the benchmark: the compiled API server and the bare Express baseline,
// each started the way production starts it, plus their resident memory read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..');

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Where the process's stdout goes. */
  readonly stdoutFile: string;
  stop(): Promise<number | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node <entry>` on a free port and resolves once GET /health answers 200 — not on a log
 * line, so an experiment with LOG_LEVEL=warn starts just the same.
 */
export async function startNodeProcess(name: string, entry: string, env: Record<string, string>, timeoutMs = 60_000, portVariable = 'PORT', nodeFlags: readonly string[] = []): Promise<Started> {
  const port = await freePort();
  // Stdout goes straight to a file, as under PM2 or a container runtime: piped to this process it
  // would cost the load generator CPU for every access-log line (and block the server when the pipe
  // is full), penalising the API but not the bare baseline, which logs nothing.
  const stdoutFile = path.join(projectRoot, 'logs', 'bench', `${name}.stdout.log`);
  fs.mkdirSync(path.dirname(stdoutFile), { recursive: true });
  const stdoutFd = fs.openSync(stdoutFile, 'w');
  const child = spawn(process.execPath, [...nodeFlags, entry], { cwd: projectRoot, env: { ...process.env, ...env, [portVariable]: String(port) }, stdio: ['ignore', stdoutFd, 'pipe'] });
  fs.closeSync(stdoutFd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let errText = '';
  child.stderr!.on('data', (chunk: Buffer) => (errText = (errText + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before starting: ${errText}`);
    const up = await fetch(`${url}/health`).then((r) => r.status === 200, () => false);
    if (up) return { name, child, port, url, stdoutFile, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`${name} did not answer /health within ${timeoutMs} ms: ${errText}`);
}

/**
 * CPU time (user + system) a process has used so far, in milliseconds (Linux /proc), or NaN
 * elsewhere. Per request it is a steadier figure than requests/s when the cores are shared.
 */
export function cpuMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

// USER_HZ, fixed at 100 by the Linux ABI for /proc/<pid>/stat whatever the kernel's own HZ.
const CLOCK_TICKS_PER_SECOND = 100;

/** Resident set size of a process in MiB (Linux /proc), or NaN elsewhere. */
export function rssMiB(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Math.round((kib / 1024) * 10) / 10;
  } catch {
    return Number.NaN;
  }
}

export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

/**
 * Heap after a full garbage collection, in MiB, from a server started with `HEAP_PROBE_FLAGS`:
 * SIGUSR2 makes the test-only preload collect and print one 'process stats' line to stdout.
 */
export async function heapAfterGcMiB(server: Started, timeoutMs = 5000): Promise<number> {
  const before = fs.readFileSync(server.stdoutFile, 'utf8').length;
  server.child.kill('SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = fs
      .readFileSync(server.stdoutFile, 'utf8')
      .slice(before)
      .split('\n')
      .find((l) => l.includes('"process stats"'));
    if (line) return (JSON.parse(line) as { heapUsed: number }).heapUsed / 2 ** 20;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number.NaN;
}

/**
 * Node flags for the server the leak check reads: `--expose-gc` and the test suite's stats preload
 * (a SIGUSR2 listener only; it changes nothing else in the process).
 */
export const HEAP_PROBE_FLAGS = ['--expose-gc', '--require', './tests/support/process-stats.cjs'] as const;
