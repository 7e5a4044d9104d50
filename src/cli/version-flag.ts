import { appVersion } from '../common/app-version';

/**
 * `./manage --version` (or `-V`) alone: prints the version and answers true, before any of the
 * CLI's modules load (no database, no configuration, ~50 ms).
 */
export function answeredVersionFlag(argv: readonly string[]): boolean {
  if (argv.length !== 1 || (argv[0] !== '--version' && argv[0] !== '-V')) return false;
  process.stdout.write(`${appVersion()}\n`);
  return true;
}
