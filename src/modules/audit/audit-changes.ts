import { isDeepStrictEqual } from 'node:util';
import { isCredentialKey, redactValue } from '../../common/logging/redaction';
import type { AuditChanges } from './audit-log.entity';

/** Never written to the audit log: credentials at any depth, and hashes at the top level. */
const OMITTED_FIELD = /hash/i;

/** The one redaction (common/logging/redaction.ts): credential-named keys, URL credentials, JWTs, resolved secret values. */
export function redactSecrets(value: unknown): unknown {
  return redactValue(value);
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
    if (options.ignore?.includes(field) || isCredentialKey(field) || OMITTED_FIELD.test(field)) continue;
    const was = before ? (b[field] ?? null) : null;
    const is = after ? (a[field] ?? null) : null;
    if (before && after && isDeepStrictEqual(was, is)) continue;
    changes[field] = { before: redactSecrets(was), after: redactSecrets(is) };
  }
  return changes;
}
