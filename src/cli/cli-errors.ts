import { DomainError } from '../common/errors';
import { ConfigError } from '../config/app-config';
import { LastSuperuserError } from '../modules/auth/auth.errors';
import { JobNotRunnableError } from '../modules/jobs/jobs.errors';

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
    write(`error: ${details ? 'invalid input' : inCliWords(error)}`);
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

/**
 * The API's messages for these errors say how to do something through the API (a body field,
 * a route); on the command line the same advice names the option or command.
 */
function inCliWords(error: DomainError): string {
  if (error instanceof JobNotRunnableError) return `Job ${error.jobId} is ${error.state}; use --force to run it anyway`;
  if (error instanceof LastSuperuserError)
    return (
      `${error.username} is the last active superuser and cannot be ${error.what}: ` +
      'make another user a superuser first (./manage users update NAME --superuser)'
    );
  return error.message;
}
