/** The end-to-end suite against a real Nova (started by test/e2e/run.sh). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 120000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
};
