// Lint: typescript-eslint's type-checked recommended rules, plus the type-aware rules that catch
// what reviews miss in async code.
import tseslint from 'typescript-eslint';

// Feature modules (src/modules/<name>/) reach each other through services, never through another
// module's repository, and depend on no process role (src/roles) nor the CLI (src/cli). The rule
// matches the import as written, so each folder depth below src/modules gets its own pattern.
const moduleBoundaries = [1, 2, 3, 4].map((depth) => ({
  files: [`src/modules/*/${'*/'.repeat(depth - 1)}*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(?:\\.\\./){${depth}}(?:\\.\\./modules/)?[^./][^/]*/(?:[^/]+/)*[^/]+\\.repository$`,
            message: "Another module's repository: ask that module's service (one owner per table).",
          },
          {
            regex: `^(?:\\.\\./){${depth + 1}}(?:roles|cli)(?:/|$)`,
            message: 'Feature modules do not depend on the process roles or the CLI.',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bench/dist/**', 'bench/results/**', '.chaos-dist/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  {
    files: [
      'src/**/*.ts',
      'migrations/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'ormconfig.ts',
      'clients/typescript/src/**/*.ts',
      'console/src/**/*.{ts,tsx}',
    ],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      // `const { secret: _s, ...rest } = x` is how an object drops a field; `_arg` marks a required but unused parameter.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
      // Loaded on first use, not at start-up, where a static import would cost every process (and
      // every ./manage call) tens of milliseconds: pino-pretty (a terminal only), BullMQ (the first
      // queue), ioredis (REDIS_URL only), zxcvbn (the first password checked), the MCP SDK (the
      // first MCP health check), yaml (./manage jobs export/apply).
      '@typescript-eslint/no-require-imports': [
        'error',
        { allow: ['^pino-pretty$', '^bullmq$', '^ioredis$', '^@zxcvbn-ts/', '^@modelcontextprotocol/sdk/', '^yaml$'] },
      ],
    },
  },
  {
    // The CLI entry answers --version before it loads the CLI itself (see src/cli.ts).
    files: ['src/cli.ts'],
    rules: {
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^\\./cli/run-cli$', '^\\./cli/use-swagger-shim$'] }],
    },
  },
  {
    // ./manage's launcher requires the bundled CLI or its modules, chosen at run time (src/manage.ts).
    files: ['src/manage.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The CLI's stand-in for @nestjs/swagger loads the package's shim by file (its exports map omits it).
    files: ['src/cli/swagger-shim.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...moduleBoundaries,
  {
    files: ['src/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?:\\.\\./)+modules(?:/|$)', message: 'common/ is below the feature modules.' }] },
      ],
    },
  },
  {
    // Tests and benchmarks hand async callbacks to helpers that accept them; the rule is for src.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // `expect(fake.method).toHaveBeenCalled()` passes a mock, it never calls it unbound.
      '@typescript-eslint/unbound-method': 'off',
      // jest's asymmetric matchers (expect.any, expect.stringMatching, ...) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // scripts/ are plain CommonJS without type declarations; the tests type what they take.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['/scripts/[^/]+\\.js$'] }],
    },
  },
  {
    // supertest response bodies and JSON parsed from a process's output are `any`; the assertions check their shape.
    files: ['test/e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
