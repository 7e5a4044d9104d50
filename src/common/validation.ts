import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
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

/** The global pipe: whitelist, forbid unknown fields, transform; errors name the field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => new BadRequestException(flattenValidationErrors(errors)),
  });
}
