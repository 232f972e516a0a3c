// One embedded PostgreSQL serves the integration and e2e projects; each test file creates
// its own database on it (test/support/test-database.ts), so files never see each other.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const moduleNameMapper = {
  '^@okr-ledger/testing$': '<rootDir>/test/support',
  '^@okr-ledger/testing/(.*)$': '<rootDir>/test/support/$1',
  '^@okr-ledger/(okr|event-store|read-models|platform|commands)$': '<rootDir>/libs/$1/src',
  '^@okr-ledger/(okr|event-store|read-models|platform|commands)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Jest 30 reads testTimeout from the root config only (a project's own is ignored): the race
  // and process tests need more than the default 5 s on a loaded 2-core machine.
  testTimeout: 30000,
  // The global setup starts the tests' PostgreSQL with libs/platform's own throwaway starter;
  // this transform is the one that compiles it (each project has its own for the tests).
  transform: common.transform,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.unit.spec.ts'],
    },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'],
    },
  ],
};
