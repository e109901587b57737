// Runs the OpenAPI validator in a child process: swagger-parser's dependencies are ESM-only,
// which Jest's module runtime cannot load.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export function validateOpenApi(document: unknown): { valid: boolean; output: string } {
  const script = path.resolve(__dirname, '..', '..', 'scripts', 'validate-openapi.mjs');
  const result = spawnSync(process.execPath, [script], { input: JSON.stringify(document), encoding: 'utf8', timeout: 20_000 });
  return { valid: result.status === 0, output: `${result.stdout}${result.stderr}` };
}
