import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, type DomainErrorCode } from './errors';

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  TOO_MANY_REQUESTS: HttpStatus.TOO_MANY_REQUESTS,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Body-parser errors arrive as plain errors with a `type` and a `status`. */
interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * The one place that turns errors into HTTP answers, always `{statusCode, error, message}`.
 * Anything unexpected is logged and answered with a 500 that reveals nothing.
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { statusCode, message } = this.describe(exception);
    if (response.headersSent) return;
    response.status(statusCode).json({ statusCode, error: errorName(statusCode), message });
  }

  private describe(exception: unknown): { statusCode: number; message: string | string[] } {
    if (exception instanceof DomainError) {
      return { statusCode: STATUS_BY_CODE[exception.code], message: exception.details && exception.details.length > 1 ? exception.details : exception.message };
    }
    if ((exception as BodyParserError)?.type === 'entity.parse.failed' || (exception instanceof HttpException && isJsonSyntax(exception))) {
      return { statusCode: 400, message: 'The request body is not valid JSON' };
    }
    if (exception instanceof HttpException && exception.getStatus() === 413) {
      return { statusCode: 413, message: 'The request body is larger than the 1 MiB limit' };
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? exception.message);
      return { statusCode: exception.getStatus(), message };
    }
    // PostgreSQL refuses NUL and invalid characters in text: bad input, not a server fault.
    const pgCode = (exception as { driverError?: { code?: string } })?.driverError?.code;
    if (pgCode === '22021' || pgCode === '22P05') return { statusCode: 400, message: 'Text fields must not contain NUL (\\u0000) or invalid characters' };
    const parserError = exception as BodyParserError;
    if (parserError?.type === 'entity.too.large') return { statusCode: 413, message: 'The request body is larger than the 1 MiB limit' };
    if (parserError?.type === 'entity.parse.failed') return { statusCode: 400, message: 'The request body is not valid JSON' };
    if (parserError?.type && parserError.status && parserError.status < 500) return { statusCode: parserError.status, message: String((exception as Error).message) };
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { statusCode: 500, message: 'Internal server error' };
  }
}

function isJsonSyntax(exception: HttpException): boolean {
  return exception.getStatus() === 400 && exception.cause instanceof SyntaxError;
}

function errorName(status: number): string {
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
