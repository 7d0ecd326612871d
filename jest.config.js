/**
 * One jest run over every workspace, in three tiers by file suffix:
 *   *.test.ts      unit: pure logic
 *   *.int.test.ts  integration: a real PostgreSQL (and Redis/Kafka/Elasticsearch when configured)
 *   *.e2e.test.ts  end to end: the gateway and all subgraphs over HTTP, like a client
 * The global setup starts an embedded PostgreSQL (or uses POSTGRES_URL) and migrates one database per domain.
 */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const moduleNameMapper = {
  '^@market/platform$': '<rootDir>/platform/src/index.ts',
  '^@market/platform/(testing|db|analytics)$': '<rootDir>/platform/src/$1/index.ts',
  '^@market/(accounts|listings|bookings|messaging|engagement|instances)$': '<rootDir>/subgraphs/$1/src/subgraph.ts',
  '^@market/gateway$': '<rootDir>/gateway/src/gateway.ts',
};
const common = {
  rootDir: __dirname,
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  roots: ['<rootDir>/platform', '<rootDir>/gateway', '<rootDir>/subgraphs', '<rootDir>/stack'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

module.exports = {
  // Integration and end-to-end tests talk to real servers; projects cannot set their own timeout.
  testTimeout: 60_000,
  // Test files run in a worker process that is replaced once it holds more than this after a file:
  // without the limit, one worker (two cores) means jest runs every file in its own process, where
  // what each file leaves behind adds up until the heap runs out (4 GB after ~130 files).
  workerIdleMemoryLimit: '1GB',
  globalSetup: '<rootDir>/stack/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/stack/src/testing/global-teardown.ts',
  transform,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/src/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$', '/node_modules/', '/dist/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/src/**/*.int.test.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['**/src/**/*.e2e.test.ts', '<rootDir>/stack/e2e/**/*.e2e.test.ts'],
    },
  ],
};
