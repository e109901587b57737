// Lint rules we hold ourselves to; type errors are caught by `tsc --noEmit` in the same script.
// The layer rules (ARCHITECTURE.md, "Layers") are enforced here: an import up the layers fails `npm run lint`.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'logs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  layerRules(),
  {
    // The admin dashboard's browser script (served as is, no build step).
    files: ['public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

/**
 * Who may import whom inside src/. Each layer may import itself and every layer listed for it —
 * all of them lower: config → utils → models → repositories → jobs → services →
 * middlewares/controllers → routes → loaders → process entries (src/*.ts). Jobs sit above the
 * repositories (a job may read through one) and below the services (a service enqueues through a
 * jobs interface such as EmailQueue); a job never calls a service — the composition root hands a
 * maintenance task the service it runs.
 */
function layerRules() {
  const below = {
    config: [],
    utils: ['config'],
    models: ['config', 'utils'],
    repositories: ['config', 'utils', 'models'],
    jobs: ['config', 'utils', 'models', 'repositories'],
    services: ['config', 'utils', 'models', 'repositories', 'jobs'],
    middlewares: ['config', 'utils', 'models', 'repositories', 'jobs', 'services'],
    controllers: ['config', 'utils', 'models', 'repositories', 'jobs', 'services'],
    routes: ['config', 'utils', 'models', 'repositories', 'jobs', 'services', 'middlewares', 'controllers'],
    loaders: ['config', 'utils', 'models', 'repositories', 'jobs', 'services', 'middlewares', 'controllers', 'routes'],
  };
  const layers = Object.keys(below);
  return {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      'boundaries/elements': layers.map((layer) => ({ type: layer, pattern: `src/${layer}` })),
      // The process entries (server.ts, worker.ts, seed.ts) sit above every layer; nothing imports them.
      'boundaries/files': [{ category: 'entry', pattern: 'src/*.ts' }],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: 'layer rule: {{from.type}} may not import {{to.type}} (imports go down only: see ARCHITECTURE.md, "Layers")',
          policies: [
            // npm packages and Node built-ins are not layers.
            { allow: { to: { module: { origin: ['external', 'core'] } } } },
            ...Object.entries(below).map(([layer, lower]) => ({
              from: { element: { type: layer } },
              allow: { to: { element: { types: { anyOf: [layer, ...lower] } } } },
            })),
            { from: { file: { categories: 'entry' } }, allow: { to: { element: { types: { anyOf: layers } } } } },
            { disallow: { to: { file: { categories: 'entry' } } } },
          ],
        },
      ],
    },
  };
}
