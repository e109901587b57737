// The API's V8 flags are declared once (prod/node-args.js); every way of starting it in production
// must pass the same ones, or the benchmark measures a process that is not the one deployed.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { API_NODE_ARGS } = require('../../prod/node-args.js') as { API_NODE_ARGS: string[] };

describe('production node flags', () => {
  it('declares at least one flag, each a node option', () => {
    expect(API_NODE_ARGS.length).toBeGreaterThan(0);
    for (const flag of API_NODE_ARGS) expect(flag).toMatch(/^--[a-z-]+(=\S+)?$/);
  });

  it('PM2 starts the API app (and only it) with them', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { apps } = require('../../prod/ecosystem.config.js') as { apps: { name: string; node_args?: string[] }[] };
      expect(apps.find((a) => a.name === 'commerce-api')?.node_args).toEqual(API_NODE_ARGS);
      expect(apps.find((a) => a.name === 'commerce-worker')?.node_args).toBeUndefined();
    });
  });

  it('npm run start:prod passes the same flags before the script', () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:prod']).toBe(['node', ...API_NODE_ARGS, 'dist/server.js'].join(' '));
  });
});
