import { DomainError } from '../common/errors';
import { ConfigError } from '../config/app-config';

/** What `./manage` exits with: the one place that maps errors to exit codes. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** The command line itself is wrong (conflicting flags, nothing to do): exit 2. */
export class UsageError extends Error {}

/** The operation did not happen for a reason already explained to the user: exit 1. */
export class OperationFailedError extends Error {}

/** Commander's own errors (unknown option, missing argument, --help) carry a code and an exit code. */
interface CommanderLikeError {
  code: string;
  exitCode: number;
}

function isCommanderError(error: unknown): error is CommanderLikeError {
  const e = error as Partial<CommanderLikeError> | null;
  return typeof e?.code === 'string' && e.code.startsWith('commander.') && typeof e.exitCode === 'number';
}

/**
 * Reports an error on stderr and returns the exit code: 0 for help/version output, 2 for usage
 * errors (commander has already printed its message), 1 for failed operations — the same
 * domain errors the API maps to 4xx — and for anything unexpected.
 */
export function reportError(
  error: unknown,
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): number {
  if (isCommanderError(error)) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (error instanceof UsageError) {
    write(`error: ${error.message} (see --help)`);
    return EXIT.USAGE;
  }
  if (error instanceof DomainError) {
    const details = error.details && error.details.length > 1 ? error.details : undefined;
    write(`error: ${details ? 'invalid input' : error.message}`);
    details?.forEach((line) => write(`  ${line}`));
    return EXIT.FAILED;
  }
  if (error instanceof OperationFailedError || error instanceof ConfigError) {
    write(`error: ${error.message}`);
    return EXIT.FAILED;
  }
  write(`error: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT.FAILED;
}
