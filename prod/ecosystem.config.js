// PM2 ecosystem for production: the API in cluster mode (one process per core by default) and the
// email worker as a single fork-mode process. Both run the compiled JavaScript: `npm run build` first.
//
//   pm2 start prod/ecosystem.config.js --env production
//   pm2 reload commerce-api            # zero-downtime: one instance at a time, each waits for 'ready'
//
// Secrets and connection strings are NOT here: the apps read them from the environment or .env.prod
// (NODE_ENV=production loads it). This file only reads the two values that shape process management.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** A setting from the real environment, else from .env.prod, else the default. */
function setting(name, fallback) {
  if (process.env[name]) return process.env[name];
  const file = path.join(root, '.env.prod');
  if (fs.existsSync(file)) {
    const line = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}=`));
    const value = line && line.slice(name.length + 1).trim();
    if (value) return value;
  }
  return fallback;
}

const shutdownTimeoutMs = Number(setting('SHUTDOWN_TIMEOUT_MS', '10000'));
const instances = setting('CLUSTER_INSTANCES', 'max');

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
  log_date_format: 'YYYY-MM-DDTHH:mm:ss.SSSZ',
  env: { NODE_ENV: 'development' },
  // Under PM2 the process manager owns the log files (stdout/stderr below), so the app writes JSON
  // lines to stdout only; several cluster workers rotating one file would race.
  env_production: { NODE_ENV: 'production', LOG_TO_FILES: 'false', LOG_PRETTY: 'false' },
};

module.exports = {
  apps: [
    {
      ...common,
      name: 'commerce-api',
      script: 'dist/server.js',
      exec_mode: 'cluster',
      instances: instances === 'max' ? 'max' : Number(instances),
      // The server calls process.send('ready') once it listens; reload waits for it per instance.
      wait_ready: true,
      listen_timeout: 30000,
      out_file: path.join(root, 'logs', 'api.out.log'),
      error_file: path.join(root, 'logs', 'api.err.log'),
    },
    {
      ...common,
      name: 'commerce-worker',
      // Built from src/jobs/worker.ts (issue 6).
      script: 'dist/jobs/worker.js',
      exec_mode: 'fork',
      instances: 1,
      out_file: path.join(root, 'logs', 'worker.out.log'),
      error_file: path.join(root, 'logs', 'worker.err.log'),
    },
  ],
};
