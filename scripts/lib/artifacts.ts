// The generated, committed API artifacts — the OpenAPI document, the Postman collection and its
// environments — built from the route declarations with a fixed configuration, so the output
// depends on the code only (never on the machine's environment).
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { parseConfig } from '../../src/config/schema';
import type { EmailQueue } from '../../src/jobs/email/types';
import { createContainer } from '../../src/loaders/container';
import { collectRoutes } from '../../src/routes';
import { buildOpenApiDocument, type OpenApiDocument } from '../../src/routes/openapi';
import { openApiOptions } from '../../src/routes/ops.routes';
import { DEMO_ACCOUNTS } from '../../src/services/account.seed';
import { buildCollection, buildEnvironment, environmentVariables } from './postman-collection';

export const projectRoot = path.resolve(__dirname, '..', '..');

/** Base URLs of the committed environment files (no secrets: tokens are captured at run time). */
export const ENVIRONMENTS: Readonly<Record<string, string>> = {
  local: 'http://localhost:3000',
  dev: 'https://dev-api.commerce.example.com',
  prod: 'https://api.commerce.example.com',
};

export function canonicalOpenApiDocument(): OpenApiDocument {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  const config = parseConfig({ NODE_ENV: 'local', PUBLIC_URL: ENVIRONMENTS.local, DOCS_ENABLED: 'true', METRICS_ENABLED: 'true' }, pkg.version);
  // Nothing connects and nothing is sent: the container is only asked for its route declarations.
  const unusedQueue: EmailQueue = { enqueue: async (email) => ({ jobId: email.jobId }), close: async () => {} };
  const container = createContainer({ config, redis: null, emailQueue: unusedQueue, mongo: mongoose.connection });
  return buildOpenApiDocument(collectRoutes(container), openApiOptions(config));
}

/**
 * The seeded demo staff accounts for the local environment's staff logins. They exist only where
 * the seed runs (development's embedded database; seeding refuses production), so committing
 * them gives away nothing, and `npm start` + the committed local environment works as it is.
 */
function demoStaffCredentials(): Record<string, string> {
  return Object.fromEntries(
    DEMO_ACCOUNTS.filter((demo) => demo.role !== 'customer').flatMap((demo) => [
      [`${demo.role}Email`, demo.email],
      [`${demo.role}Password`, demo.password],
    ]),
  );
}

/** Relative path → file content, for every generated artifact. */
export function generateArtifacts(): Record<string, string> {
  const document = canonicalOpenApiDocument();
  const collection = buildCollection(document);
  const variables = environmentVariables(collection);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const files: Record<string, string> = {
    'docs/openapi.json': json(document),
    'postman/commerce-api.postman_collection.json': json(collection),
  };
  for (const [name, baseUrl] of Object.entries(ENVIRONMENTS)) {
    files[`postman/${name}.postman_environment.json`] = json(buildEnvironment(name, baseUrl, variables, name === 'local' ? demoStaffCredentials() : {}));
  }
  return files;
}

/** Files whose committed content differs from what the generators produce now. */
export function staleArtifacts(files = generateArtifacts()): string[] {
  return Object.entries(files)
    .filter(([file, content]) => {
      const target = path.join(projectRoot, file);
      return !fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== content;
    })
    .map(([file]) => file);
}
