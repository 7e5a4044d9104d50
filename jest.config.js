// Jest runs the TypeScript sources through ts-jest. The ESM-only packages in node_modules
// (NestJS 12 and a few of its dependencies) are loaded natively: on Node 24.9+ jest supports
// require(esm) (it needs --experimental-vm-modules, which the npm scripts pass).
const common = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json', 'mjs'],
  transform: {
    // tsconfig.test.json has isolatedModules, so ts-jest transpiles each file on its own and its
    // diagnostics are syntax errors only (no cost); `npm run typecheck` type-checks test/ as a whole.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: true }],
  },
  transformIgnorePatterns: ['/node_modules/'],
};
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    // Checks of the repository's own files (Dockerfile, compose, generated docs) against the code.
    { ...common, displayName: 'ops', testMatch: ['<rootDir>/test/ops/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      testTimeout: 60000,
    },
    {
      ...common,
      displayName: 'chaos',
      testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      testTimeout: 600000,
    },
  ],
};
