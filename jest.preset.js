// Shared jest settings for every workspace: TypeScript through SWC (type checking is
// tsc's job, run separately), workspace packages resolved to their sources so a test
// never runs a stale build, and one JSON report per workspace for .ci/run to count.
const path = require('node:path');

module.exports = function preset(dir) {
  const name = path.basename(dir);
  return {
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
      // ccxt's CommonJS build requires these ESM-only packages, which Node loads natively
      // (require of ESM) but jest's module loader does not: they are compiled to CommonJS.
      '/node_modules/@(noble|scure)/.+\\.js$': [
        '@swc/jest',
        { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } },
      ],
    },
    transformIgnorePatterns: ['/node_modules/(?!@(noble|scure)/)'],
    moduleNameMapper: {
      '^@utm/(ingest-gateway|signal-processor|broker-executor)$': path.join(__dirname, 'services/$1/src'),
      '^@utm/([a-z-]+)$': path.join(__dirname, 'packages/$1/src'),
      // Prisma's generated TypeScript imports its siblings as './x.js'.
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    // Creates and migrates the test database once per run (no-op when up to date).
    globalSetup: path.join(__dirname, 'packages/testkit/src/global-setup.ts'),
    testTimeout: 30000,
    maxWorkers: process.env.CI ? 2 : '50%',
    displayName: name,
  };
};
