// npm run test:newman-local — what a newcomer does: `npm start` (local profile: embedded MongoDB
// seeded with the demo accounts, no Redis), then, exactly as README says,
//   npx newman run postman/commerce-api.postman_collection.json -e postman/local.postman_environment.json
// Exit code 1 unless Newman reports zero failures. Needs port 3000 (the local environment's baseUrl).
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { projectRoot } from './lib/artifacts';
import { waitForHttp200, withoutServiceConfig } from './lib/processes';

const BASE_URL = 'http://localhost:3000';

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function main(): Promise<number> {
  if (await portTaken(3000)) throw new Error('port 3000 is in use: the committed local environment targets http://localhost:3000');
  // The caller's exported config and a stray .env.local must not change what `npm start` means here.
  const env = { ...withoutServiceConfig(process.env), ENV_FILE: 'none', LOG_LEVEL: 'warn' };
  const server = spawn('npm', ['start'], { cwd: projectRoot, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  try {
    await waitForHttp200(`${BASE_URL}/ready`, 120_000);
    const args = ['newman', 'run', 'postman/commerce-api.postman_collection.json', '-e', 'postman/local.postman_environment.json'];
    process.stdout.write(`== npx ${args.join(' ')}\n`);
    return spawnSync('npx', args, { cwd: projectRoot, stdio: 'inherit' }).status ?? 1;
  } finally {
    // npm → tsx → node: signal the whole group so the server shuts down, not just npm.
    process.kill(-server.pid!, 'SIGTERM');
    await exited;
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`newman-local failed: ${err.message}\n`);
    process.exit(1);
  },
);
