import { ConflictError, NotFoundError, ValidationFailedError, DomainError } from '../../common/errors';

export class SecretNotFoundError extends NotFoundError {
  override readonly errorCode = 'SECRET_NOT_FOUND';
  constructor(name: string) {
    super('Secret', `"${name}"`);
  }
}

export class SecretNameTakenError extends ConflictError {
  override readonly errorCode = 'SECRET_NAME_TAKEN';
  constructor(name: string) {
    super(`A secret named "${name}" already exists`);
  }
}

/** With an external database and neither SECRETS_KEY nor JWT_SECRET, processes could never agree on a key. */
export class SecretsKeyMissingError extends DomainError {
  override readonly errorCode = 'SECRETS_KEY_MISSING';
  constructor() {
    super(
      'UNAVAILABLE',
      'The secrets store needs SECRETS_KEY (or JWT_SECRET) when DATABASE_URL is set: 32 random bytes as 64 hex or base64 characters, the same in every process',
    );
  }
}

/** A `{"$secret": …}` object that is not exactly a reference by name. */
export function malformedReference(field: string): ValidationFailedError {
  return ValidationFailedError.forField(
    field,
    'a secret reference must be exactly {"$secret": "NAME"} with the name of a stored secret',
  );
}
