import { EXIT, reportError, UsageError } from '../../../src/cli/cli-errors';
import { ValidationFailedError } from '../../../src/common/errors';
import { LastSuperuserError } from '../../../src/modules/auth/auth.errors';
import { JobNotFoundError, JobNotRunnableError } from '../../../src/modules/jobs/jobs.errors';

/** What reportError writes on stderr for `error`, and the exit code it returns. */
function report(error: unknown): { code: number; lines: string[] } {
  const lines: string[] = [];
  const code = reportError(error, (line) => lines.push(line));
  return { code, lines };
}

describe(reportError.name, () => {
  it('names --force where the API names its "force" body field', () => {
    const error = new JobNotRunnableError(7, 'disabled');
    expect(error.message).toContain('"force": true');
    expect(report(error)).toEqual({
      code: EXIT.FAILED,
      lines: ['error: Job 7 is disabled; use --force to run it anyway'],
    });
    expect(report(new JobNotRunnableError(7, 'paused')).lines).toEqual([
      'error: Job 7 is paused; use --force to run it anyway',
    ]);
  });

  it('names the users command where the API names its route', () => {
    const error = new LastSuperuserError('admin', 'deleted');
    expect(error.message).toContain('PUT /api/v1/users/{id}');
    expect(report(error)).toEqual({
      code: EXIT.FAILED,
      lines: [
        'error: admin is the last active superuser and cannot be deleted: make another user a superuser first (./manage users update NAME --superuser)',
      ],
    });
  });

  it('keeps other messages, lists several invalid fields, and exits 2 on usage errors', () => {
    expect(report(new JobNotFoundError(3))).toEqual({ code: EXIT.FAILED, lines: ['error: Job 3 was not found'] });
    expect(report(new ValidationFailedError('a; b', ['--priority must be …', '--timeout must be …']))).toEqual({
      code: EXIT.FAILED,
      lines: ['error: invalid input', '  --priority must be …', '  --timeout must be …'],
    });
    expect(report(new UsageError('nothing to change'))).toEqual({
      code: EXIT.USAGE,
      lines: ['error: nothing to change (see --help)'],
    });
  });
});
