import { isSecretReference, maskKnownSecrets } from '../../common/logging/redaction';
import { malformedReference } from './secrets.errors';

export const SECRET_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
/** What a reference stands for while kwargs are validated before the run (a secret's value is a string). */
const PLACEHOLDER = 'secret-reference';

export interface SecretReference {
  name: string;
  /** Where it sits, e.g. `task_kwargs.headers.Authorization`. */
  field: string;
}

/** Every `{"$secret": "NAME"}` in `value`; a malformed one (other keys, no string name) is a 400 naming its field. */
export function findSecretReferences(value: unknown, field: string): SecretReference[] {
  const found: SecretReference[] = [];
  walk(value, field, (ref, at) => found.push({ name: ref, field: at }));
  return found;
}

/** A copy with every reference replaced by a placeholder string, for validating kwargs against a task's schema. */
export function withPlaceholders(value: unknown, field: string): unknown {
  return replace(value, field, () => PLACEHOLDER);
}

/** A copy with every reference replaced by its secret's value (the worker, just before the task runs). */
export function substituteSecrets(value: unknown, values: ReadonlyMap<string, string>): unknown {
  return replace(value, 'kwargs', (name) => values.get(name) ?? '');
}

/** A copy in which every occurrence of one of `secretValues` inside a string is `"***"`. */
export function maskSecretValues<T>(value: T, secretValues: readonly string[]): T {
  if (secretValues.length === 0) return value;
  const sorted = [...secretValues].filter(Boolean).sort((a, b) => b.length - a.length);
  const mask = (v: unknown): unknown => {
    if (typeof v === 'string') return maskKnownSecrets(v, sorted);
    if (Array.isArray(v)) return v.map(mask);
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v))
      Object.defineProperty(out, maskKnownSecrets(k, sorted), {
        value: mask(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  };
  return mask(value) as T;
}

function walk(value: unknown, field: string, onRef: (name: string, field: string) => void): void {
  if (Array.isArray(value)) return value.forEach((item, i) => walk(item, `${field}.${i}`, onRef));
  if (value === null || typeof value !== 'object') return;
  if (isSecretReference(value)) {
    if (!SECRET_NAME_PATTERN.test(value.$secret)) throw malformedReference(field);
    return onRef(value.$secret, field);
  }
  if (Object.prototype.hasOwnProperty.call(value, '$secret')) throw malformedReference(field);
  for (const [k, v] of Object.entries(value)) walk(v, `${field}.${k}`, onRef);
}

function replace(value: unknown, field: string, by: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item, i) => replace(item, `${field}.${i}`, by));
  if (value === null || typeof value !== 'object') return value;
  if (isSecretReference(value) && SECRET_NAME_PATTERN.test(value.$secret)) return by(value.$secret);
  if (Object.prototype.hasOwnProperty.call(value, '$secret')) throw malformedReference(field);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    Object.defineProperty(out, k, {
      value: replace(v, `${field}.${k}`, by),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}
