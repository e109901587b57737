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
  // Every response from createTestContext()'s app is checked against the generated OpenAPI document.
  setupFilesAfterEnv: ['<rootDir>/tests/support/contract-setup.ts'],
  maxWorkers: 2,
  testTimeout: 30_000,
  // Fail on a test file that leaves handles open instead of hanging CI.
  forceExit: false,
  detectOpenHandles: false,
};
