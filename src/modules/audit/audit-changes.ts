import { isDeepStrictEqual } from 'node:util';
import type { AuditChanges } from './audit-log.entity';

/** Keys whose values are credentials: never written to the audit log, at any depth. */
const SECRET_KEY = /pass(word|wd)?|secret|token|authori[sz]ation|api[-_]?key|cookie|hash|credential|private[-_]?key/i;
export const REDACTED = '[redacted]';

/** Replaces the value of every secret-looking key (in nested objects and arrays too). */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redactSecrets(v)]));
  }
  return value;
}

/**
 * The fields that differ between two snapshots, as `{field: {before, after}}`; a null
 * snapshot stands for "did not exist" (create: before null, delete: after null).
 * Top-level secret fields are dropped entirely, nested ones redacted.
 */
export function changesBetween(
  before: object | null,
  after: object | null,
  options: { ignore?: readonly string[] } = {},
): AuditChanges {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const changes: AuditChanges = {};
  for (const field of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (options.ignore?.includes(field) || SECRET_KEY.test(field)) continue;
    const was = before ? (b[field] ?? null) : null;
    const is = after ? (a[field] ?? null) : null;
    if (before && after && isDeepStrictEqual(was, is)) continue;
    changes[field] = { before: redactSecrets(was), after: redactSecrets(is) };
  }
  return changes;
}
