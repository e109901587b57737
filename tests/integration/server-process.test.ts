// The real server process: start-up order, fail-fast config, and graceful shutdown on SIGTERM.
import net from 'node:net';
import { spawn } from 'node:child_process';
import mongoose from 'mongoose';
import { buildApp } from '../../src/loaders/app';
import { createContainer } from '../../src/loaders/container';
import { testConfig } from '../support/app';
import { hermeticEnv } from '../support/env';
import { createRecordingEmailQueue } from '../support/fakes';
import { portFromStartLine, projectRoot, spawnServer } from '../support/process';

const STARTUP_LINES = [/^✓ Config loaded/, /^✓ Logger ready/, /^✓ Database connected/, /^(✓ Redis connected|⚠ REDIS_URL is not set)/, /^✓ Middlewares loaded/, /^✓ Routes mounted: \d+ endpoints$/, /^✓ Server started on port \d+$/];

describe('server process', () => {
  it('when started, then the loaders run in order and log one line each, with the real endpoint count', async () => {
    const server = spawnServer();
    try {
      await server.waitForLog((r) => /^✓ Server started/.test(String(r.message)));
      const messages = server.lines.map((r) => String(r.message));
      const positions = STARTUP_LINES.map((pattern) => messages.findIndex((m) => pattern.test(m)));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);

      const mounted = Number(/(\d+) endpoints/.exec(messages.find((m) => /Routes mounted/.test(m))!)![1]);
      const config = testConfig();
      const built = buildApp(createContainer({ config, redis: null, emailQueue: createRecordingEmailQueue(), mongo: mongoose.connection }));
      expect(mounted).toBe(built.endpointCount);
      expect(mounted).toBe(built.routes.length);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  it('when the environment is invalid, then the process exits 1 naming every bad variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: projectRoot,
      // ENV_FILE=none: a .env.prod in the checkout must not fill in what this test leaves out.
      env: { ...hermeticEnv(), NODE_ENV: 'production', ENV_FILE: 'none', MONGODB_URI: '', PORT: 'not-a-port', JWT_SECRET: 'short' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    for (const name of ['PORT', 'MONGODB_URI', 'REDIS_URL', 'JWT_SECRET', 'PUBLIC_URL']) expect(stderr).toContain(name);
    expect(stderr.match(/Invalid environment configuration/g)).toHaveLength(1);
  });

  it('when SIGTERM arrives during a slow request, then the request completes before the process exits 0', async () => {
    const server = spawnServer({ SHUTDOWN_TIMEOUT_MS: '10000' });
    try {
      const port = portFromStartLine(await server.waitForLog((r) => /^✓ Server started/.test(String(r.message))));
      // A request whose body is still arriving is in flight for as long as the client likes.
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const body = JSON.stringify({ slow: 'x'.repeat(64) });
      socket.write(`POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      socket.write(body.slice(0, 10));
      let response = '';
      socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
      const closed = new Promise((resolve) => socket.once('close', resolve));

      server.child.kill('SIGTERM');
      await server.waitForLog((r) => r.message === 'Shutdown started');
      socket.write(body.slice(10));
      await closed;

      // The request got its real answer (/health answers GET and HEAD only) after shutdown had begun.
      expect(response).toMatch(/^HTTP\/1\.1 405/);
      expect(response).toContain('"code":"METHOD_NOT_ALLOWED"');
      const messages0 = server.lines.map((r) => String(r.message));
      expect(messages0.indexOf('request completed')).toBeGreaterThan(messages0.indexOf('Shutdown started'));
      expect(await server.exited).toBe(0);
      const messages = server.lines.map((r) => String(r.message));
      expect(messages).toEqual(expect.arrayContaining(['✓ HTTP server closed, in-flight requests finished', '✓ MongoDB closed', 'Shutdown complete']));
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});
