import { ConflictError, NotFoundError, UnauthorizedError } from '../../common/errors';

export class UserNotFoundError extends NotFoundError {
  override readonly errorCode = 'USER_NOT_FOUND';
  constructor(id: number) {
    super('User', id);
  }
}

export class UsernameTakenError extends ConflictError {
  override readonly errorCode = 'USERNAME_TAKEN';
  constructor(username: string, existing = username) {
    super(
      existing !== username
        ? `A user named "${existing}" already exists (usernames are unique regardless of case): choose another than "${username}"`
        : `A user named "${username}" already exists`,
    );
  }
}

export class LastSuperuserError extends ConflictError {
  override readonly errorCode = 'LAST_SUPERUSER';
  constructor(
    readonly username: string,
    /** "demoted", "deactivated" or "deleted": the CLI words its own message from these. */
    readonly what: string,
  ) {
    super(
      `${username} is the last active superuser and cannot be ${what}: make another user a superuser first (PUT /api/v1/users/{id} {"is_superuser": true})`,
    );
  }
}

export class UserInactiveError extends UnauthorizedError {
  override readonly errorCode = 'USER_INACTIVE';
  constructor(username: string) {
    super(`User ${username} is deactivated; a superuser can reactivate it (is_active: true)`);
  }
}

export class InvalidCredentialsError extends UnauthorizedError {
  override readonly errorCode = 'INVALID_CREDENTIALS';
  constructor() {
    super('Invalid username or password');
  }
}
