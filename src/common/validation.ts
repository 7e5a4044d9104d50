import { type ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';

/** Optional, but when given it must be valid: unlike @IsOptional, `null` is rejected. */
export const OptionalNotNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

/** At most this many messages in one 400; the rest are counted in a last "… and K more" line. */
export const MAX_ERROR_MESSAGES = 20;

/**
 * Type checks: when one of them fails the others only add noise ("title must be longer than or
 * equal to 1 characters" for a title that is missing), so it is the one reported.
 */
const TYPE_CONSTRAINTS = [
  'isDefined',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isObject',
  'isArray',
  'isEnum',
  'isIn',
];

/** The one problem reported for a field: its failed type check, else the first failed constraint. */
function firstProblem(constraints: Record<string, string> | undefined): string[] {
  const entries = Object.entries(constraints ?? {});
  const chosen = entries.find(([name]) => TYPE_CONSTRAINTS.includes(name)) ?? entries[0];
  return chosen ? [chosen[1]] : [];
}

/** Flattens class-validator errors into "field: problem" lines, one per field (nested fields dotted). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = firstProblem(error.constraints).map((message) =>
      message.startsWith(error.property) ? `${parent ? parent + '.' : ''}${message}` : `${field}: ${message}`,
    );
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** The first MAX_ERROR_MESSAGES messages, and a count of the others: a 400 stays small whatever was sent. */
export function capMessages(messages: string[], max = MAX_ERROR_MESSAGES): string[] {
  if (messages.length <= max) return messages;
  return [...messages.slice(0, max), `… and ${messages.length - max} more`];
}

/**
 * Keys that name members of Object.prototype (`__proto__`, `constructor`, `toString`, …) or
 * `prototype`. class-transformer drops some of them and turns `__proto__` into the object's
 * prototype (whose fields then read as if sent), so they are refused wherever they appear.
 */
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export interface InputProblem {
  field: string;
  problem: string;
}

const NUL = 'must not contain the NUL character (\\u0000)';
const LONE_SURROGATE = 'must be well-formed Unicode (a lone surrogate, \\ud800–\\udfff, is not)';
const RESERVED = 'is a reserved name (a member of Object.prototype) and cannot be used as a key';

/** With the u flag a surrogate pair is one code point, so only lone surrogates match. */
const LONE_SURROGATE_PATTERN = /\p{Cs}/u;

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return NUL;
  return LONE_SURROGATE_PATTERN.test(text) ? LONE_SURROGATE : undefined;
}

/**
 * Every string (value or key) in `value` that PostgreSQL or JSON cannot carry (NUL, lone
 * surrogates), and every key named like an Object.prototype member, with its dotted path.
 * Such input is refused up front, naming the field, before any transformation or query.
 */
export function findInputProblems(value: unknown, path = ''): InputProblem[] {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? [{ field: path || 'body', problem }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => findInputProblems(item, at(String(i))));
  if (value && typeof value === 'object') {
    return Object.keys(value).flatMap((key) => {
      const problem = RESERVED_KEYS.has(key) ? RESERVED : textProblem(key);
      return problem
        ? [{ field: at(key), problem }]
        : findInputProblems((value as Record<string, unknown>)[key], at(key));
    });
  }
  return [];
}

/** ValidationPipe that first refuses ill-formed text and reserved keys in bodies, queries and path parameters. */
class ApiValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const problems = findInputProblems(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
      if (problems.length > 0) {
        return Promise.reject(
          new BadRequestException(capMessages(problems.map(({ field, problem }) => `${field}: ${problem}`))),
        );
      }
    }
    return super.transform(value, metadata);
  }
}

/** The global pipe: whitelist, forbid unknown fields, transform, no ill-formed text; errors name the field. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => new BadRequestException(capMessages(flattenValidationErrors(errors))),
  });
}
