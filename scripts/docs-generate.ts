// npm run docs:generate (all), openapi:generate, postman:generate; `--check` exits 1 when a
// committed artifact is stale instead of writing it.
import fs from 'node:fs';
import path from 'node:path';
import { generateArtifacts, projectRoot, staleArtifacts } from './lib/artifacts';

const args = process.argv.slice(2);
const only = args.find((a) => a === 'openapi' || a === 'postman');
const check = args.includes('--check');

const files = Object.fromEntries(
  Object.entries(generateArtifacts()).filter(([file]) => !only || (only === 'openapi' ? file.startsWith('docs/') : file.startsWith('postman/'))),
);

if (check) {
  const stale = staleArtifacts(files);
  if (stale.length) {
    process.stderr.write(`Stale generated files (run npm run docs:generate and commit):\n  ${stale.join('\n  ')}\n`);
    process.exit(1);
  }
  process.stdout.write(`Generated files are up to date (${Object.keys(files).length}).\n`);
} else {
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(projectRoot, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    process.stdout.write(`wrote ${file}\n`);
  }
}
