// The one place that reads process.env: loads the profile's .env file, validates, freezes.
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError, parseConfig, type AppConfig } from './schema';

export type { AppConfig, Profile } from './schema';
export { ConfigError, parseConfig } from './schema';

const ENV_FILES: Record<string, string> = {
  development: '.env.dev',
  production: '.env.prod',
  test: '.env.test',
  local: '.env.local',
};

export const projectRoot = path.resolve(__dirname, '..', '..');

/**
 * The env file to load: ENV_FILE when set (a path, relative to the project root, or `none` for
 * the environment only), else the profile's file for NODE_ENV (unset → local). Real environment
 * variables always win over the file.
 */
export function envFileFor(nodeEnv: string | undefined, envFile?: string): string | null {
  if (envFile?.trim()) return envFile.trim() === 'none' ? null : path.resolve(projectRoot, envFile.trim());
  return path.join(projectRoot, ENV_FILES[nodeEnv || 'local'] ?? ENV_FILES.local);
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Loads the env file into a copy of `env` (without overriding) and parses it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): { config: AppConfig; envFile: string | null } {
  const file = envFileFor(env.NODE_ENV, env.ENV_FILE);
  const merged: NodeJS.ProcessEnv = { ...env };
  let envFile: string | null = null;
  if (file && fs.existsSync(file)) {
    const parsed = dotenv.parse(fs.readFileSync(file));
    for (const [key, value] of Object.entries(parsed)) if (merged[key] === undefined || merged[key] === '') merged[key] = value;
    envFile = path.relative(projectRoot, file);
  }
  return { config: parseConfig(merged, readVersion()), envFile };
}

/**
 * Stops start-up on a bad configuration and leaves the reason where an operator looks. No logger
 * exists yet (it is configured from this config), so the reason goes to stderr — as one JSON line
 * when stderr is not a terminal, so a process manager's error log stays machine-readable. Under
 * PM2 (cluster mode) stderr is an asynchronous file stream: exiting straight after the write
 * loses it, so the process exits from the write's callback, and the module evaluation that
 * imported this is stopped by a ConfigError that nothing else gets to report.
 */
function failStartup(err: ConfigError): never {
  const line = process.stderr.isTTY
    ? `${err.message}\n`
    : `${JSON.stringify({ level: 'error', message: 'Invalid environment configuration', problems: err.problems, pid: process.pid, timestamp: new Date().toISOString() })}\n`;
  process.exitCode = 1;
  const exit = () => process.exit(1);
  setTimeout(exit, 2000); // the write's callback never came: exit anyway
  process.stderr.write(line, exit);
  // The ConfigError below only unwinds the imports. A process manager's own crash handler (PM2
  // installs one) would log it again as an uncaught exception with a stack — noise after the
  // reason, and not JSON — so this handler is the only one left.
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', (thrown) => {
    if (thrown !== err) throw thrown;
  });
  throw err;
}

function loadOrExit(): { config: AppConfig; envFile: string | null } {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) failStartup(err);
    throw err;
  }
}

const loaded = loadOrExit();
export const config: AppConfig = loaded.config;
export const configSource: string | null = loaded.envFile;
