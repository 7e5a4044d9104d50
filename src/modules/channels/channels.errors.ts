import { ConflictError, NotFoundError, ValidationFailedError } from '../../common/errors';

export class ChannelNotFoundError extends NotFoundError {
  override readonly errorCode = 'CHANNEL_NOT_FOUND';
  constructor(id: number) {
    super('Notification channel', id);
  }
}

export class ChannelNameTakenError extends ConflictError {
  override readonly errorCode = 'CHANNEL_NAME_TAKEN';
  constructor(name: string) {
    super(`A notification channel named "${name}" already exists`);
  }
}

/** A job names channels that do not exist. */
export function unknownChannels(field: string, ids: number[]): ValidationFailedError {
  return ValidationFailedError.forField(
    field,
    `no notification channel ${ids.join(', ')} (GET /api/v1/notification-channels lists them)`,
  );
}
