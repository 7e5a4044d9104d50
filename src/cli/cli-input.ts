import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { ValidationFailedError } from '../common/errors';
import { flattenValidationErrors } from '../common/validation';
import { UsageError } from './cli-errors';

const MAX_INT4 = 2_147_483_647;

/**
 * Validates command-line input with the API's own DTO and the API's pipe settings
 * (whitelist, forbid unknown fields), one message per field. `flags` names the option that
 * set each field, and the message names that option instead of the API field:
 * "--priority must not be greater than 10".
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
  throw invalidInput(flattenValidationErrors(errors), flags);
}

/**
 * Runs a service call whose input came from `flags`; a validation error it throws (a schedule
 * the parser refuses, kwargs the task refuses) is reworded to name the options, as validateDto's.
 */
export async function withFlags<T>(flags: Record<string, string>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ValidationFailedError)) throw error;
    throw invalidInput(error.details ?? [error.message], flags);
  }
}

function invalidInput(problems: string[], flags: Record<string, string>): ValidationFailedError {
  const lines = problems.map((line) => inCliWords(line, flags));
  return new ValidationFailedError(lines.join('; '), lines);
}

/**
 * class-validator's default wordings that read badly on a command line, and what they mean
 * there ("title must be longer than or equal to 1 characters" for an empty argument).
 */
const PLAIN_WORDS: [RegExp, string][] = [
  [/must be longer than or equal to 1 characters$/, 'must not be empty'],
  [/must be shorter than or equal to (\d+) characters$/, 'must be at most $1 characters'],
  [/must be longer than or equal to (\d+) characters$/, 'must be at least $1 characters'],
];

/**
 * "task_priority must …" → "--priority must …", "task_kwargs.url: …" → "--kwargs .url: …"
 * (a path inside a JSON option, as jq writes it). Fields set by positional arguments keep
 * their API names, which are the argument names the usage line shows.
 */
export function inCliWords(line: string, flags: Record<string, string>): string {
  const plain = PLAIN_WORDS.reduce((text, [pattern, words]) => text.replace(pattern, words), line);
  const field = Object.keys(flags).find((f) => [' ', ':', '.'].includes(plain.charAt(f.length)) && plain.startsWith(f));
  if (!field) return plain;
  const rest = plain.slice(field.length);
  return rest.startsWith('.') ? `${flags[field]} ${rest}` : `${flags[field]}${rest}`;
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

/** A JSON object option such as --kwargs or --config. */
export function parseJsonObject(value: string | undefined, flag: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const parsed = parseJson(value);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw optionProblem(flag, `must be a JSON object, e.g. '{"cleanup_level": "deep"}'`);
  return parsed as Record<string, unknown>;
}

/** A JSON array option such as --args. */
export function parseJsonArray(value: string | undefined, flag: string): unknown[] | undefined {
  if (value === undefined) return undefined;
  const parsed = parseJson(value);
  if (!Array.isArray(parsed)) throw optionProblem(flag, `must be a JSON array, e.g. '["reports", 3]'`);
  return parsed as unknown[];
}

/** The parsed value, or undefined for text that is not JSON (the caller names what was expected). */
function parseJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function optionProblem(flag: string, problem: string): ValidationFailedError {
  return new ValidationFailedError(`${flag} ${problem}`, [`${flag} ${problem}`]);
}

/** `--enabled` / `--disabled` → is_enabled; both at once is a usage error. */
export function enabledFlag(options: { enabled?: boolean; disabled?: boolean }): boolean | undefined {
  if (options.enabled && options.disabled) throw new UsageError('--enabled and --disabled exclude each other');
  if (options.enabled) return true;
  if (options.disabled) return false;
  return undefined;
}
