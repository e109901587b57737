// Validates an OpenAPI document (a file path argument, or JSON on stdin) against the OpenAPI
// schema with @apidevtools/swagger-parser. Exit 0 when valid; 1 with the reasons when not.
// Plain ESM because swagger-parser's dependencies are ESM-only (Jest cannot load them in-process).
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';

const source = process.argv[2] ? readFileSync(process.argv[2], 'utf8') : readFileSync(0, 'utf8');
try {
  const api = await SwaggerParser.validate(JSON.parse(source));
  process.stdout.write(`valid: ${api.info.title} ${api.info.version} (OpenAPI ${api.openapi}), ${Object.keys(api.paths ?? {}).length} paths\n`);
} catch (err) {
  process.stderr.write(`invalid: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
