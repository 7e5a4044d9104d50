import { isISO8601, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * ISO 8601 extended format only: a calendar date, optionally a time (hh:mm[:ss[.fraction]])
 * and an offset (Z or ±hh:mm). The other forms ISO 8601 allows (week dates like 2026-W01,
 * ordinal dates, the basic format 20260101T000000Z) are refused: JavaScript's Date does not
 * read them, and an unreadable date reached SQL as "0NaN-NaN-…".
 */
const EXTENDED = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const WITH_OFFSET = /T.*(Z|[+-]\d{2}:\d{2})$/;

/** The instant `value` names, when it is an ISO 8601 extended-format date(-time) of a real calendar day; otherwise undefined. */
export function parseIsoDateTime(value: unknown, options: { requireOffset?: boolean } = {}): Date | undefined {
  if (typeof value !== 'string' || !EXTENDED.test(value) || !isISO8601(value, { strict: true })) return undefined;
  if (options.requireOffset && !WITH_OFFSET.test(value)) return undefined;
  const date = new Date(value);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

/**
 * A date-time in ISO 8601 extended format that names a valid instant, e.g.
 * "2026-01-01T00:00:00Z" (a date alone means its UTC midnight). `requireOffset`: a time and an
 * offset are required, so the instant does not depend on the server's zone.
 */
export const IsIsoDateTime = (
  options: { requireOffset?: boolean } = {},
  validationOptions?: ValidationOptions,
): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isIsoDateTime',
      validator: {
        validate: (value: unknown) => parseIsoDateTime(value, options) !== undefined,
        defaultMessage: () =>
          options.requireOffset
            ? '$property must be an ISO 8601 date-time with an offset, e.g. "2026-01-01T00:00:00Z"'
            : '$property must be an ISO 8601 date-time in extended format, e.g. "2026-01-01T00:00:00Z"',
      },
    },
    validationOptions,
  );
