import './node-version-guard';
import * as nodeModule from 'node:module';
import { answeredVersionFlag } from './cli/version-flag';

/**
 * Node 22.1+ keeps the compiled code of every module it loads in an on-disk cache and reuses it
 * on the next start: most of a ./manage call is loading modules. Older Node lacks the function
 * (nothing happens); a cache that cannot be written is only slower.
 */
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/**
 * The CLI as modules (./manage runs it bundled into one file when built: src/manage.ts).
 * `--version` is answered before the CLI's modules load; everything else loads src/cli/run-cli,
 * where every outcome leaves through one mapping to exit codes.
 */
async function main(argv: string[]): Promise<number> {
  if (answeredVersionFlag(argv)) return 0;
  // No OpenAPI document is built here: @nestjs/swagger's decorators become no-ops (~200 ms less).
  // require, not import(): a CommonJS module imported through the ESM loader has every require
  // below it resolved and lexed by that loader too (~0.3 s more at start-up on Node 20).
  (require('./cli/use-swagger-shim') as typeof import('./cli/use-swagger-shim')).useSwaggerShimForCli();
  const cli = require('./cli/run-cli') as typeof import('./cli/run-cli');
  try {
    return await cli.runCli(argv);
  } catch (error) {
    return cli.exitCodeOf(error);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Only the CLI's own modules failing to load get here.
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
