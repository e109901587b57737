/**
 * `npm run test:bulk`: the bulk inventory tests (tests/bulk), at the sizes the back-office issue
 * names. Same harness as the integration project; kept out of `npm test` because arranging and
 * writing 100k variants takes minutes. .ci/run runs it after the suite.
 */
const base = require('./jest.config.js');

const integration = base.projects.find((p) => p.displayName === 'integration');

module.exports = {
  ...integration,
  displayName: 'bulk',
  roots: ['<rootDir>/tests/bulk'],
  testTimeout: 30 * 60_000,
};
