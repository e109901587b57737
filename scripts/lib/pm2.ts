// PM2 under a private PM2_HOME for the smoke and chaos scripts: the CLI, the operator's .env.prod
// derived from prod/.env.example, and reading PM2's log files as JSON lines (as jq would).
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './artifacts';

export const PM2 = path.join(projectRoot, 'node_modules', '.bin', 'pm2');
export const ECOSYSTEM = path.join(projectRoot, 'prod', 'ecosystem.config.js');

export interface PmProcess {
  name: string;
  pid: number;
  pm_id: number;
  pm2_env: { status: string; restart_time: number; NODE_ENV?: string; env?: Record<string, string> };
}

/** Runs the PM2 CLI with `env` (which carries PM2_HOME); throws with PM2's output on failure. */
export function pm2(env: NodeJS.ProcessEnv, ...args: string[]): string {
  const result = spawnSync(PM2, args, { cwd: projectRoot, env, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`pm2 ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** The same, without blocking the event loop (a load generator in this process keeps running). */
export async function pm2Async(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(PM2, args, { cwd: projectRoot, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export async function pm2ListAsync(env: NodeJS.ProcessEnv): Promise<PmProcess[]> {
  return JSON.parse(await pm2Async(env, 'jlist')) as PmProcess[];
}

export function pm2List(env: NodeJS.ProcessEnv): PmProcess[] {
  return JSON.parse(pm2(env, 'jlist')) as PmProcess[];
}

/** prod/.env.example as an operator fills it: the required values, plus what this host needs. */
export function deriveEnvProd(file: string, values: Record<string, string>): void {
  const lines = fs.readFileSync(path.join(projectRoot, 'prod', '.env.example'), 'utf8').split('\n');
  const filled = lines.map((line) => {
    const key = /^([A-Z_]+)=/.exec(line)?.[1];
    return key && key in values ? `${key}=${values[key]}` : line;
  });
  const missing = Object.keys(values).filter((key) => !lines.some((line) => line.startsWith(`${key}=`)));
  fs.writeFileSync(file, [...filled, ...missing.map((key) => `${key}=${values[key]}`)].join('\n'));
}

/** Every line of `file` parses as JSON: `jq -c . file` succeeds. Returns the parsed records. */
export function jqRecords(file: string): Record<string, unknown>[] {
  const result = spawnSync('jq', ['-c', '.', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`jq cannot parse ${file}: ${result.stderr.trim()}`);
  return result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
