import { ConflictError, NotFoundError } from '../../common/errors';

export class RunNotFoundError extends NotFoundError {
  override readonly errorCode = 'RUN_NOT_FOUND';
  constructor(id: number) {
    super('Execution', id);
  }
}

/** Only a queued or running run can be cancelled. */
export class RunNotCancellableError extends ConflictError {
  override readonly errorCode = 'RUN_NOT_CANCELLABLE';
  constructor(id: number, status: string) {
    super(`Execution ${id} has already ended (${status}); only a queued or running run can be cancelled`);
  }
}
