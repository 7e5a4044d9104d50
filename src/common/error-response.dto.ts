import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One field at fault in a 400. */
export class ErrorDetailDto {
  @ApiProperty({
    example: 'title',
    description:
      'The field, dotted through nested objects and arrays (`task_kwargs.headers.0`); `body` for the whole body',
  })
  field: string;
  @ApiProperty({ example: 'title must be longer than or equal to 1 characters', description: 'What is wrong with it' })
  message: string;
}

/** The one error shape: `{statusCode, error, code, message}`, and `details` for invalid input. */
export class ErrorResponseDto {
  @ApiProperty({ example: 404, description: 'The HTTP status, repeated' })
  statusCode: number;
  @ApiProperty({ example: 'Not Found', description: 'The HTTP reason phrase of the status' })
  error: string;
  @ApiProperty({
    example: 'JOB_NOT_FOUND',
    description:
      'Stable machine-readable name. Specific: JOB_NOT_FOUND, JOB_NAME_TAKEN, JOB_NOT_RUNNABLE, SCHEDULE_INVALID, RUN_NOT_FOUND, RUN_NOT_CANCELLABLE, ' +
      'USER_NOT_FOUND, USERNAME_TAKEN, INVALID_CREDENTIALS, USER_INACTIVE, LAST_SUPERUSER, SUPERUSER_REQUIRED, SECRET_NOT_FOUND, SECRET_NAME_TAKEN, SECRETS_KEY_MISSING, CHANNEL_NOT_FOUND, CHANNEL_NAME_TAKEN, ' +
      'LOGIN_THROTTLE_UNAVAILABLE, DATABASE_UNAVAILABLE; otherwise the category: VALIDATION_FAILED, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, ' +
      'PAYLOAD_TOO_LARGE, TOO_MANY_REQUESTS, UNAVAILABLE, INTERNAL_ERROR',
  })
  code: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'Job 42 was not found',
    description:
      'What is wrong, naming the field(s). A string, except for a 400 that found several problems (the validation of a body or ' +
      'query, or a domain check with several fields at fault): then a list of "field: problem" lines, at most 20, then "… and K more"',
  })
  message: string | string[];
  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'On a 400 only: each field at fault (at most 20)' })
  details?: ErrorDetailDto[];
}
