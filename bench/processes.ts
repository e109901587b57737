// Child processes for the benchmark: the compiled API server and the bare Express baseline,
// each started the way production starts it, plus their resident memory read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..');

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  stop(): Promise<number | null>;
}

/** Starts `node <entry>` and resolves once it logs "✓ Server started on port N". */
export function startNodeProcess(name: string, entry: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Started> {
  const child = spawn(process.execPath, [entry], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let errText = '';
  child.stderr!.on('data', (chunk: Buffer) => (errText = (errText + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms: ${errText}`)), timeoutMs);
    let buffer = '';
    const onData = (chunk: Buffer) => {
      // Stdout keeps flowing (the access log goes there too); only the start line is looked for.
      if (buffer === null) return;
      buffer += chunk.toString();
      const match = /Server started on port (\d+)/.exec(buffer);
      if (!match) {
        buffer = buffer.slice(-500);
        return;
      }
      clearTimeout(timer);
      const port = Number(match[1]);
      buffer = '';
      child.stdout!.off('data', onData);
      child.stdout!.resume(); // drain, never buffer: a full pipe would stall the server
      resolve({
        name,
        child,
        port,
        url: `http://127.0.0.1:${port}`,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`${name} exited with ${code} before starting: ${errText}`)));
  });
}

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
