/**
 * Domain errors: services throw these (never HTTP exceptions). Each carries a stable code;
 * `DomainErrorFilter` maps codes to HTTP statuses and the CLI maps them to exit codes.
 */
export type DomainErrorCode =
  'VALIDATION_FAILED' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'UNAVAILABLE';

export class DomainError extends Error {
  /**
   * The stable, specific code clients see (`JOB_NOT_FOUND`, `SECRET_NAME_TAKEN`, …); `code` is
   * its category, which sets the HTTP status and the CLI's exit code. Subclasses override it.
   */
  readonly errorCode: string;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Field-level messages, e.g. ["schedule_expression: hour 25 is out of range"]. */
    readonly details?: string[],
  ) {
    super(message);
    this.name = new.target.name;
    this.errorCode = code;
  }
}

export class ValidationFailedError extends DomainError {
  constructor(message: string, details?: string[]) {
    super('VALIDATION_FAILED', message, details);
  }

  /** A single field error, worded "field: what is wrong". */
  static forField(field: string, problem: string): ValidationFailedError {
    return new ValidationFailedError(`${field}: ${problem}`, [`${field}: ${problem}`]);
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: number | string) {
    super('NOT_FOUND', `${entity} ${id} was not found`);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication required') {
    super('UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'This action needs a superuser') {
    super('FORBIDDEN', message);
  }
}

/** A read-only user tried a change: every change needs a superuser. */
export class SuperuserRequiredError extends ForbiddenError {
  override readonly errorCode = 'SUPERUSER_REQUIRED';
}
