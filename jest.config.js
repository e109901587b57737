/**
 * Jest, as two projects (`npm test` runs both; `npm run test:unit` / `npm run test:integration` one):
 * - unit: tests/unit — pure logic with fakes passed by argument; no database, no globalSetup.
 * - integration: everything that needs MongoDB (and Redis): tests/integration, tests/security,
 *   tests/resilience and tests/contract (the OpenAPI fuzz suite). Its globalSetup starts one MongoDB for the run; each file uses its own database.
 * Run-wide options (workers, coverage, thresholds) belong at the top level, not in a project.
 */
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: {
    // Transpile only; `npm run typecheck` is the type check (it runs in .ci/run before the tests).
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // Every response from createTestContext()'s app is checked against the generated OpenAPI document.
  setupFilesAfterEnv: ['<rootDir>/tests/support/contract-setup.ts'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/tests/unit'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/tests/integration', '<rootDir>/tests/security', '<rootDir>/tests/resilience', '<rootDir>/tests/contract'],
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
    },
  ],
  maxWorkers: 2,
  // Run-wide in Jest (a project-level testTimeout is ignored).
  testTimeout: 30_000,
  // `--coverage` (as .ci/run runs it) fails the run below these: the business rules and the only
  // code that touches the database carry the most weight. Directory keys are directory totals.
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.d.ts'],
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
  coverageThreshold: {
    global: { lines: 80 },
    './src/services/': { lines: 85, branches: 85 },
    // Branches: the target is 85. Measured 79.2 % (issue 14); 74.8 % after the catalog, wishlist and
    // inventory repositories were merged; 73.8 % with payments, reports and analytics. Raised to
    // 85.3 % (332/389, tests/integration + tests/unit) by repository behaviour tests in
    // tests/integration/repositories/ — never lowered again.
    './src/repositories/': { lines: 85, branches: 85 },
  },
  // Fail on a test file that leaves handles open instead of hanging CI.
  forceExit: false,
  detectOpenHandles: false,
};
