import type { OpenAPIObject, ResponseObject } from '@nestjs/swagger';
import { errorName, fieldDetails } from './domain-error.filter';

/*
 * What the OpenAPI document shows beyond what decorators say: ids in paths, and error examples.
 *
 * Example error bodies for the OpenAPI document, exactly as DomainErrorFilter sends them.
 * Without them Swagger UI shows the ErrorResponseDto property examples (a 400) under every
 * status. `describeErrorResponses` fills each error response that has no example of its own:
 * by operation id and status first, then by the resource of the path (404s), then by status.
 */

interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string | string[];
  details?: { field: string; message: string }[];
}

function body(statusCode: number, code: string, message: string | string[]): ErrorBody {
  const error = { statusCode, error: errorName(statusCode), code, message };
  if (statusCode !== 400) return error;
  return { ...error, details: fieldDetails([message].flat()) };
}

export const UNAUTHORIZED_EXAMPLE = body(
  401,
  'UNAUTHORIZED',
  'Authentication required: send Authorization: Bearer <token> (POST /api/v1/auth/login)',
);
export const SUPERUSER_REQUIRED_EXAMPLE = body(403, 'SUPERUSER_REQUIRED', 'This action needs a superuser');

/** A 400 from the validation pipe: `message` is the list of "field: problem" lines. */
const VALIDATION_EXAMPLE = body(400, 'VALIDATION_FAILED', ['size must not be greater than 100']);
const SCHEDULE_EXAMPLE = body(
  400,
  'SCHEDULE_INVALID',
  'schedule_expression: the hour 25 is out of range (00–23); expected HH:MM (00:00–23:59) in local time, e.g. "09:30"',
);

const NOT_FOUND_BY_RESOURCE: Record<string, ErrorBody> = {
  jobs: body(404, 'JOB_NOT_FOUND', 'Job 42 was not found'),
  executions: body(404, 'RUN_NOT_FOUND', 'Execution 4242 was not found'),
  users: body(404, 'USER_NOT_FOUND', 'User 7 was not found'),
  secrets: body(404, 'SECRET_NOT_FOUND', 'Secret "SLACK_TOKEN" was not found'),
  'notification-channels': body(404, 'CHANNEL_NOT_FOUND', 'Notification channel 3 was not found'),
};

const JOB_NAME_TAKEN = body(409, 'JOB_NAME_TAKEN', 'A job named "nightly_report" already exists');
const LAST_SUPERUSER = body(
  409,
  'LAST_SUPERUSER',
  'admin is the last active superuser and cannot be demoted: make another user a superuser first (PUT /api/v1/users/{id} {"is_superuser": true})',
);
const SECRETS_KEY_MISSING = body(
  503,
  'SECRETS_KEY_MISSING',
  'The secrets store needs SECRETS_KEY (or JWT_SECRET) when DATABASE_URL is set: 32 random bytes as 64 hex or base64 characters, the same in every process',
);

/** Examples that only one operation can answer, by operation id and status. */
const BY_OPERATION: Record<string, Record<number, ErrorBody>> = {
  createJob: { 400: SCHEDULE_EXAMPLE, 409: JOB_NAME_TAKEN },
  updateJob: { 400: SCHEDULE_EXAMPLE, 409: JOB_NAME_TAKEN },
  applyJobs: { 400: body(400, 'VALIDATION_FAILED', ['jobs must be an array of job definitions']), 409: JOB_NAME_TAKEN },
  validateSchedule: { 400: body(400, 'VALIDATION_FAILED', ['count must not be greater than 50']) },
  executeJob: {
    409: body(409, 'JOB_NOT_RUNNABLE', 'Job 42 is paused; send "force": true (CLI: --force) to run it anyway'),
  },
  backfillJob: {
    400: body(
      400,
      'VALIDATION_FAILED',
      'max_runs: the range holds more than 100 fire times of the job; narrow the range or raise the limit (at most 1000)',
    ),
  },
  cancelExecution: {
    409: body(
      409,
      'RUN_NOT_CANCELLABLE',
      'Execution 4242 has already ended (succeeded); only a queued or running run can be cancelled',
    ),
  },
  login: { 401: body(401, 'INVALID_CREDENTIALS', 'Invalid username or password') },
  changePassword: { 401: body(401, 'INVALID_CREDENTIALS', 'Invalid username or password') },
  createUser: { 409: body(409, 'USERNAME_TAKEN', 'A user named "alice" already exists') },
  updateUser: { 409: LAST_SUPERUSER },
  deleteUser: {
    409: body(
      409,
      'LAST_SUPERUSER',
      'admin is the last active superuser and cannot be deleted: make another user a superuser first (PUT /api/v1/users/{id} {"is_superuser": true})',
    ),
  },
  createSecret: {
    409: body(409, 'SECRET_NAME_TAKEN', 'A secret named "SLACK_TOKEN" already exists'),
    503: SECRETS_KEY_MISSING,
  },
  updateSecret: { 503: SECRETS_KEY_MISSING },
  createChannel: {
    409: body(409, 'CHANNEL_NAME_TAKEN', 'A notification channel named "ops-webhook" already exists'),
    503: SECRETS_KEY_MISSING,
  },
  updateChannel: {
    409: body(409, 'CHANNEL_NAME_TAKEN', 'A notification channel named "ops-webhook" already exists'),
    503: SECRETS_KEY_MISSING,
  },
};

const BY_STATUS: Record<number, ErrorBody> = {
  400: VALIDATION_EXAMPLE,
  401: UNAUTHORIZED_EXAMPLE,
  403: SUPERUSER_REQUIRED_EXAMPLE,
  404: body(404, 'NOT_FOUND', 'Cannot GET /api/v1/nothing-here'),
  409: body(409, 'CONFLICT', 'The request conflicts with the current state of the resource'),
  413: body(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than the 1 MiB limit of this route'),
  429: body(429, 'TOO_MANY_REQUESTS', 'Too many login attempts; wait a minute and try again'),
  503: body(503, 'DATABASE_UNAVAILABLE', 'The database is unavailable right now; retry in a few seconds'),
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; the message and details name the field(s) at fault; nothing changed',
  401: 'Missing, invalid, expired or revoked token',
  403: 'The caller is not a superuser',
  404: 'No such resource',
  409: 'Conflicts with the current state; nothing changed',
  413: 'The body is larger than the limit of the route',
  429: 'Too many requests; see Retry-After',
  503: 'A dependency is unavailable; see Retry-After',
};

const ERROR_SCHEMA = '#/components/schemas/ErrorResponseDto';

/** The resource a path is about: its first segment after /api/v1 (`/api/v1/jobs/{id}/executions` → jobs). */
function resourceOf(route: string): string {
  return route.replace(/^\/api\/v1\//, '').split('/')[0];
}

export function errorExample(operationId: string | undefined, route: string, status: number): ErrorBody | undefined {
  const byOperation = operationId ? BY_OPERATION[operationId]?.[status] : undefined;
  if (byOperation) return byOperation;
  if (status === 404) return NOT_FOUND_BY_RESOURCE[resourceOf(route)] ?? BY_STATUS[404];
  return BY_STATUS[status];
}

/** Gives every error response (ErrorResponseDto) a description and a real example of its status. */
export function describeErrorResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [route, item] of Object.entries(document.paths)) {
    for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        const json = (response as ResponseObject).content?.['application/json'];
        if (!json || (json.schema as { $ref?: string } | undefined)?.$ref !== ERROR_SCHEMA) continue;
        const code = Number(status);
        if (!(response as ResponseObject).description) (response as ResponseObject).description = DESCRIPTIONS[code];
        if (json.example === undefined && json.examples === undefined)
          json.example = errorExample(operation?.operationId, route, code);
      }
    }
  }
  return document;
}

/** The thing `{id}` names in a path, by the path's first segment; `{id}` under it is that resource's id. */
const ID_NOUNS: Record<string, [noun: string, example: number]> = {
  jobs: ['job', 42],
  executions: ['run', 4242],
  users: ['user', 7],
  'notification-channels': ['notification channel', 3],
};

/** Describes the `{id}` path parameters (IdParam is a parameter decorator, which cannot carry Swagger options). */
export function describePathIds(document: OpenAPIObject): OpenAPIObject {
  for (const [route, item] of Object.entries(document.paths)) {
    const known = ID_NOUNS[resourceOf(route)];
    for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
      for (const parameter of operation?.parameters ?? []) {
        if (!('name' in parameter) || parameter.in !== 'path' || parameter.description) continue;
        if (parameter.name === 'id' && known) {
          parameter.description = `The ${known[0]} id`;
          parameter.example = known[1];
        }
      }
    }
  }
  return document;
}
