import { type ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';

/** Optional, but when given it must be valid: unlike @IsOptional, `null` is rejected. */
export const OptionalNotNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

/** Flattens class-validator errors into "field: problem" lines (nested fields dotted). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? `${parent ? parent + '.' : ''}${message}` : `${field}: ${message}`,
    );
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * Paths of the strings (values or keys) in `value` that hold a NUL character. PostgreSQL
 * refuses NUL in text, so such input is rejected up front, naming the field, before any query.
 */
export function findNulFields(value: unknown, path = ''): string[] {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof value === 'string') return value.includes('\u0000') ? [path || 'body'] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => findNulFields(item, at(String(i))));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => (key.includes('\u0000') ? [at(key)] : findNulFields(item, at(key))));
  }
  return [];
}

/** ValidationPipe that first refuses NUL characters in bodies, queries and path parameters. */
class ApiValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const fields = findNulFields(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
      if (fields.length > 0) {
        return Promise.reject(new BadRequestException(fields.map((field) => `${field}: must not contain the NUL character (\\u0000)`)));
      }
    }
    return super.transform(value, metadata);
  }
}

/** The global pipe: whitelist, forbid unknown fields, transform, no NUL; errors name the field. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => new BadRequestException(flattenValidationErrors(errors)),
  });
}
