import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { ValidationFailedError } from '../common/errors';
import { flattenValidationErrors } from '../common/validation';
import { UsageError } from './cli-errors';

const MAX_INT4 = 2_147_483_647;

/**
 * Validates command-line input with the API's own DTO and the API's pipe settings
 * (whitelist, forbid unknown fields), so errors name the same fields as the API's 400s.
 * `flags` adds the option that set a field, e.g. "task_priority (--priority) must not be …".
 */
export async function validateDto<T extends object>(
  cls: ClassConstructor<T>,
  plain: Record<string, unknown>,
  flags: Record<string, string> = {},
): Promise<T> {
  const defined = Object.fromEntries(Object.entries(plain).filter(([, value]) => value !== undefined));
  const instance = plainToInstance(cls, defined, { enableImplicitConversion: false });
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length === 0) return instance;
  const lines = flattenValidationErrors(errors).map((line) => withFlag(line, flags));
  throw new ValidationFailedError(lines.join('; '), lines);
}

function withFlag(line: string, flags: Record<string, string>): string {
  const field = Object.keys(flags).find((f) => line.startsWith(`${f} `) || line.startsWith(`${f}:`));
  return field ? line.replace(field, `${field} (${flags[field]})`) : line;
}

/** A job or run id: a positive integer, as the API's path parameters. */
export function parseId(value: string, field = 'id'): number {
  const id = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(id) || id < 1 || id > MAX_INT4)
    throw new ValidationFailedError(`${field} must be a positive integer up to ${MAX_INT4}`);
  return id;
}

/** Numeric text becomes a number; anything else is kept so the DTO's validator names the field. */
export function numberish(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  return /^[+-]?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

/** A JSON object option such as --kwargs. */
export function parseJsonObject(
  value: string | undefined,
  field: string,
  flag: string,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ValidationFailedError.forField(
      `${field} (${flag})`,
      `must be a JSON object, e.g. '{"cleanup_level": "deep"}'`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** `--enabled` / `--disabled` → is_enabled; both at once is a usage error. */
export function enabledFlag(options: { enabled?: boolean; disabled?: boolean }): boolean | undefined {
  if (options.enabled && options.disabled) throw new UsageError('--enabled and --disabled exclude each other');
  if (options.enabled) return true;
  if (options.disabled) return false;
  return undefined;
}
