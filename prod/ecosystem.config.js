// PM2 ecosystem for production: the API in cluster mode (one process per core by default) and the
// email worker as a single fork-mode process. Both run the compiled JavaScript: `npm run build` first.
//
//   pm2 start prod/ecosystem.config.js                # production; `--env production` is the same
//   (for a development profile run `npm start` / `npm run dev`, not this file)
//   pm2 reload commerce-api            # zero-downtime: one instance at a time, each waits for 'ready'
//
// Secrets and connection strings are NOT here: the apps read them from the environment or .env.prod
// (NODE_ENV=production loads it; prod/.env.example documents every variable). This file only reads the two values that shape process management.
const fs = require('node:fs');
const path = require('node:path');
const dotenv = require('dotenv');
const { API_NODE_ARGS } = require('./node-args');

const root = path.resolve(__dirname, '..');

/** The env file the apps will read: ENV_FILE when set (as in src/config), else .env.prod. */
const envFile = process.env.ENV_FILE && process.env.ENV_FILE !== 'none' ? path.resolve(root, process.env.ENV_FILE) : path.join(root, '.env.prod');

/** A setting from the real environment, else from the env file (read as the apps read it), else the default (empty = unset). */
function setting(name, fallback) {
  if (process.env[name]) return process.env[name];
  const fromFile = fs.existsSync(envFile) ? dotenv.parse(fs.readFileSync(envFile))[name] : undefined;
  return fromFile && fromFile.trim() ? fromFile.trim() : fallback;
}

const shutdownTimeoutMs = Number(setting('SHUTDOWN_TIMEOUT_MS', '10000'));
// PM2 writes each app's stdout/stderr here (JSON lines: pipe through jq).
const logDir = path.resolve(root, setting('LOG_DIR', 'logs'));
const instances = setting('CLUSTER_INSTANCES', 'max');

const production = { NODE_ENV: 'production', LOG_TO_FILES: 'false', LOG_PRETTY: 'false' };

const common = {
  cwd: root,
  // Said explicitly (PM2's default is SIGINT): SIGTERM is what the apps drain on, like every other
  // process manager sends, so `pm2 reload/stop` and a container stop behave the same.
  kill_signal: 'SIGTERM',
  // Longer than the app's own graceful shutdown, so PM2 never SIGKILLs a process that is still draining.
  kill_timeout: shutdownTimeoutMs + 5000,
  max_memory_restart: setting('MAX_MEMORY_RESTART', '512M'),
  // Restart on crashes, backing off so a crash loop does not hammer MongoDB/Redis.
  autorestart: true,
  exp_backoff_restart_delay: 200,
  min_uptime: '10s',
  max_restarts: 15,
  merge_logs: true,
  // No log_date_format: PM2 would prefix every line with a timestamp and the files would stop being
  // JSON lines. Each record carries its own ISO timestamp.
  // This folder deploys production, with or without `--env production`: a forgotten flag must not
  // start a production host as development (dev JWT secret, embedded database, seeded demo accounts).
  // Under PM2 the process manager owns the log files (stdout/stderr below), so the app writes JSON
  // lines to stdout only; several cluster workers rotating one file would race.
  env: production,
  env_production: production,
};

module.exports = {
  apps: [
    {
      ...common,
      name: 'commerce-api',
      script: 'dist/server.js',
      // V8 flags, shared with the benchmark (node-args.js).
      node_args: API_NODE_ARGS,
      exec_mode: 'cluster',
      instances: instances === 'max' ? 'max' : Number(instances),
      // The server calls process.send('ready') once it listens; reload waits for it per instance.
      wait_ready: true,
      listen_timeout: 30000,
      out_file: path.join(logDir, 'api.out.log'),
      error_file: path.join(logDir, 'api.err.log'),
    },
    {
      ...common,
      name: 'commerce-worker',
      // Built from src/worker.ts (issue 6).
      script: 'dist/worker.js',
      exec_mode: 'fork',
      instances: 1,
      out_file: path.join(logDir, 'worker.out.log'),
      error_file: path.join(logDir, 'worker.err.log'),
    },
  ],
};
