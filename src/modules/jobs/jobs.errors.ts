import { ConflictError, NotFoundError, ValidationFailedError } from '../../common/errors';

export class JobNotFoundError extends NotFoundError {
  override readonly errorCode = 'JOB_NOT_FOUND';
  constructor(id: number) {
    super('Job', id);
  }
}

export class JobNameTakenError extends ConflictError {
  override readonly errorCode = 'JOB_NAME_TAKEN';
  constructor(name?: string) {
    super(name === undefined ? 'A job with this name already exists' : `A job named "${name}" already exists`);
  }
}

/** Run now on a disabled or paused job without `force`. */
export class JobNotRunnableError extends ConflictError {
  override readonly errorCode = 'JOB_NOT_RUNNABLE';
  constructor(
    readonly jobId: number,
    /** "disabled" or the job's status ("paused"): the CLI words its own message from these. */
    readonly state: string,
  ) {
    super(`Job ${jobId} is ${state}; send "force": true (CLI: --force) to run it anyway`);
  }
}

/** An active window that ends before it starts. */
export class InvalidJobWindowError extends ValidationFailedError {
  constructor() {
    super('end_at: must be after start_at', ['end_at: must be after start_at']);
  }
}
