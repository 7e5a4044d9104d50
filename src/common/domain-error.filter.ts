import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE,
  isDatabaseUnavailable,
} from '../database/database-unavailable';
import { DomainError, type DomainErrorCode } from './errors';

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

/** The `code` of answers that no domain error produced, by status. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_ERROR',
  503: 'UNAVAILABLE',
};

/** Body-parser errors arrive as plain errors with a `type`, a `status` and (too large) the `limit` in bytes. */
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

interface Described {
  statusCode: number;
  message: string | string[];
  code?: string;
}

/**
 * The one place that turns errors into HTTP answers, always `{statusCode, error, code, message}`
 * and, for a 400, `details: [{field, message}]`. Anything unexpected is logged and answered
 * with a 500 that reveals nothing.
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { statusCode, message, code } = this.describe(exception);
    if (response.headersSent) return;
    if (statusCode === 503) response.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    const details =
      statusCode === 400
        ? {
            details: fieldDetails(
              exception instanceof DomainError && exception.details?.length ? exception.details : [message].flat(),
            ),
          }
        : {};
    response.status(statusCode).json({
      statusCode,
      error: errorName(statusCode),
      code: code ?? CODE_BY_STATUS[statusCode] ?? 'ERROR',
      message,
      ...details,
    });
  }

  private describe(exception: unknown): Described {
    if (exception instanceof DomainError) {
      // A subclass may carry a more specific code (e.g. SECRET_NOT_FOUND for NOT_FOUND).
      const code = exception.errorCode;
      return {
        statusCode: STATUS_BY_CODE[exception.code],
        code,
        message: exception.details && exception.details.length > 1 ? exception.details : exception.message,
      };
    }
    if (
      (exception as BodyParserError)?.type === 'entity.parse.failed' ||
      (exception instanceof HttpException && isJsonSyntax(exception))
    ) {
      return { statusCode: 400, message: 'The request body is not valid JSON' };
    }
    if (exception instanceof HttpException && exception.getStatus() === 413)
      return tooLarge(exception.cause ?? exception);
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message =
        typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? exception.message);
      return { statusCode: exception.getStatus(), message };
    }
    // The database is away (restarting, unreachable): the request may succeed later.
    if (isDatabaseUnavailable(exception))
      return {
        statusCode: 503,
        code: DATABASE_UNAVAILABLE,
        message: 'The database is unavailable right now; retry in a few seconds',
      };
    // PostgreSQL refuses NUL and invalid characters in text: bad input, not a server fault.
    const pgCode = (exception as { driverError?: { code?: string } })?.driverError?.code;
    if (pgCode === '22021' || pgCode === '22P05')
      return { statusCode: 400, message: 'Text fields must not contain NUL (\\u0000) or invalid characters' };
    const parserError = exception as BodyParserError;
    if (parserError?.type === 'entity.too.large') return tooLarge(parserError);
    if (parserError?.type === 'entity.parse.failed')
      return { statusCode: 400, message: 'The request body is not valid JSON' };
    if (parserError?.type && parserError.status && parserError.status < 500)
      return { statusCode: parserError.status, message: String((exception as Error).message) };
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { statusCode: 500, message: 'Internal server error' };
  }
}

/** A 413 naming the limit of the route (body-parser reports it in bytes). */
function tooLarge(error: unknown): Described {
  const limit = (error as BodyParserError)?.limit;
  const size =
    typeof limit !== 'number'
      ? '1 MiB'
      : limit % 1_048_576 === 0
        ? `${limit / 1_048_576} MiB`
        : `${Math.round(limit / 1024)} KiB`;
  return {
    statusCode: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: `The request body is larger than the ${size} limit of this route`,
  };
}

/**
 * `{field, message}` per "field: problem" line ("property x should not exist" and "field must
 * be …" name their field too); a line that names none is about the whole body (invalid JSON)
 * or the path (a parameter that is not valid percent-encoded UTF-8).
 */
export function fieldDetails(lines: string[]): { field: string; message: string }[] {
  return lines
    .filter((line) => !/^… and \d+ more$/.test(line))
    .map((line) => {
      const colon = /^([^\s:]+): (.*)$/s.exec(line);
      if (colon) return { field: colon[1], message: colon[2] };
      const named = /^property (\S+) /.exec(line) ?? /^([\w.$-]+) (?:must|should|is|has)\b/.exec(line);
      return { field: named ? named[1] : /^Failed to decode param/.test(line) ? 'path' : 'body', message: line };
    });
}

function isJsonSyntax(exception: HttpException): boolean {
  return exception.getStatus() === 400 && exception.cause instanceof SyntaxError;
}

/** The HTTP reason phrase an error answer's `error` carries (also the OpenAPI examples'). */
export function errorName(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    413: 'Payload Too Large',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return names[status] ?? (HttpStatus[status] ?? 'Error').toString();
}
