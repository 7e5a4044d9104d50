import { Cron, type CronOptions } from 'croner';
import { ValidationFailedError } from '../../common/errors';
import {
  DEFAULT_TIMEZONE,
  MAX_INTERVAL_MINUTES,
  SCHEDULE_TYPES,
  type NormalizedScheduleSpec,
  type ScheduleSpec,
  type ScheduleType,
} from './schedule.types';

export type ScheduleField = 'schedule_type' | 'schedule_expression' | 'timezone';

/** A schedule that cannot be used; the message says "field: what is wrong; what is expected". */
export class InvalidScheduleError extends ValidationFailedError {
  override readonly errorCode = 'SCHEDULE_INVALID';

  constructor(
    readonly field: ScheduleField,
    problem: string,
  ) {
    super(`${field}: ${problem}`, [`${field}: ${problem}`]);
  }
}

/**
 * What the calculator runs on. Interval schedules are plain arithmetic on absolute time (UTC);
 * every other kind becomes one or more croner patterns whose union is the schedule, so that DST
 * handling comes from one library for every kind.
 */
export type ParsedSchedule =
  { kind: 'interval'; minutes: number } | { kind: 'cron'; patterns: string[]; timezone: string };

export const CRON_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/**
 * Croner options shared by validation and calculation. `domAndDow: false` gives Vixie's OR of
 * day-of-month and day-of-week (croner 11 renamed `legacyMode` to this). `no-wildcard` makes lists
 * and ranges of hours (`30 2,14 * * *`) fixed-time jobs too, as in Vixie cron: a nonexistent local
 * time then fires at the end of the gap and an ambiguous one fires once.
 */
export function cronOptions(timezone: string): CronOptions {
  return { timezone, paused: true, domAndDow: false, mode: '5-or-6-parts', fixedTimeRule: 'no-wildcard' };
}

const TIME_EXPECTED = 'HH:MM (00:00–23:59)';
const EXPECTED: Record<ScheduleType, string> = {
  interval: `the number of minutes as a whole number from 1 to ${MAX_INTERVAL_MINUTES}, e.g. "30"`,
  daily: `${TIME_EXPECTED} in local time, e.g. "09:30"`,
  weekly: 'D:HH:MM with D 0–6 (0 = Monday … 6 = Sunday), e.g. "0:09:00"',
  monthly: 'D:HH:MM with D 1–31 (29–31 fire on the last day of shorter months), e.g. "1:08:00"',
  cron: 'a cron expression "minute hour day-of-month month day-of-week" (or 6 fields with seconds first), e.g. "*/15 * * * *"',
};

function fail(field: ScheduleField, problem: string): never {
  throw new InvalidScheduleError(field, problem);
}

function failExpression(type: ScheduleType, problem: string): never {
  fail('schedule_expression', `${problem}; expected ${EXPECTED[type]}`);
}

/** Trims, defaults and checks the time zone; throws InvalidScheduleError. */
export function normalizeSpec(spec: ScheduleSpec): NormalizedScheduleSpec {
  const type = spec.type;
  if (!SCHEDULE_TYPES.includes(type)) {
    fail('schedule_type', `"${String(type)}" is not a schedule type; expected one of ${SCHEDULE_TYPES.join(', ')}`);
  }
  const expression = typeof spec.expression === 'string' ? spec.expression.trim() : '';
  if (expression === '') failExpression(type, 'is empty');
  return { type, expression, timezone: normalizeTimezone(spec.timezone) };
}

/** A valid IANA name, with its case fixed ("europe/berlin" → "Europe/Berlin"); aliases are kept. */
export function normalizeTimezone(timezone: string | null | undefined): string {
  const name = (timezone ?? '').trim();
  if (name === '') return DEFAULT_TIMEZONE;
  // Offsets such as "+05:30" are not zone names: they have no DST rules to follow.
  if (/^[+-]/.test(name))
    fail('timezone', `"${name}" is an offset, not an IANA time zone; expected a name such as "Asia/Kolkata"`);
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    fail(
      'timezone',
      `"${name}" is not a known IANA time zone; expected a name such as "UTC", "Europe/Berlin" or "America/New_York"`,
    );
  }
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

/** Validates a spec and turns it into what the calculator runs; throws InvalidScheduleError. */
/** Parsing validates with croner and Intl, which is costly; dispatch parses every due job. */
const parsedCache = new Map<string, ParsedSchedule>();
const PARSED_CACHE_SIZE = 5_000;

export function parseSchedule(spec: ScheduleSpec): ParsedSchedule {
  const key = `${spec.type}\u0000${spec.expression}\u0000${spec.timezone ?? ''}`;
  const cached = parsedCache.get(key);
  if (cached) return cached;
  const parsed = parseUncached(spec);
  if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.clear();
  parsedCache.set(key, parsed);
  return parsed;
}

function parseUncached(spec: ScheduleSpec): ParsedSchedule {
  const { type, expression, timezone } = normalizeSpec(spec);
  if (type === 'interval') return { kind: 'interval', minutes: parseInterval(expression) };
  const patterns = type === 'cron' ? [parseCron(expression, timezone)] : calendarPatterns(type, expression);
  return { kind: 'cron', patterns, timezone };
}

function parseInterval(expression: string): number {
  if (!/^\d+$/.test(expression)) failExpression('interval', `"${expression}" is not a whole number`);
  const minutes = Number(expression);
  if (minutes < 1 || minutes > MAX_INTERVAL_MINUTES) failExpression('interval', `interval ${minutes} is out of range`);
  return minutes;
}

interface CalendarParts {
  day?: number;
  hour: number;
  minute: number;
}

/** Splits `HH:MM` or `D:HH:MM` and range-checks each part, naming the part that is wrong. */
function parseCalendar(type: 'daily' | 'weekly' | 'monthly', expression: string): CalendarParts {
  const match =
    type === 'daily' ? /^(\d{1,2}):(\d{2})$/.exec(expression) : /^(\d{1,2}):(\d{1,2}):(\d{2})$/.exec(expression);
  if (!match) failExpression(type, `"${expression}" is not in the right format`);
  const numbers = match.slice(1).map(Number);
  const [hour, minute] = numbers.slice(-2);
  const day = type === 'daily' ? undefined : numbers[0];
  if (day !== undefined) {
    const [low, high] = type === 'weekly' ? [0, 6] : [1, 31];
    if (day < low || day > high) failExpression(type, `day ${day} is out of range (${low}–${high})`);
  }
  if (hour > 23) failExpression(type, `the hour ${hour} is out of range (00–23)`);
  if (minute > 59) failExpression(type, `the minute ${minute} is out of range (00–59)`);
  return { day, hour, minute };
}

function calendarPatterns(type: 'daily' | 'weekly' | 'monthly', expression: string): string[] {
  const { day, hour, minute } = parseCalendar(type, expression);
  const time = `${minute} ${hour}`;
  if (type === 'daily') return [`${time} * * *`];
  // Ours counts from Monday = 0, cron from Sunday = 0.
  if (type === 'weekly') return [`${time} * * ${(day! + 1) % 7}`];
  if (day! <= 28) return [`${time} ${day} * *`];
  // Day D where the month has it, else the month's last day: the union of "D" (croner skips
  // months without that day) and "L" in the months that can be shorter than D. In a leap
  // February with D = 29 both give Feb 29, and the calculator merges equal instants.
  const shortMonths = day === 31 ? '2,4,6,9,11' : '2';
  return [`${time} ${day} * *`, `${time} L ${shortMonths} *`];
}

/** Field names as croner counts them (it puts a seconds field first when there are 5 fields). */
const CRON_FIELDS = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week'];
const CRONER_PARTS: Record<string, number> = { second: 0, minute: 1, hour: 2, day: 3, month: 4, dayOfWeek: 5 };
const FIELD_RANGES = ['0–59', '0–59', '0–23', '1–31', '1–12 or JAN–DEC', '0–7 or SUN–SAT'];

/** Checks the shape first (for a clear message), then lets croner parse, then checks it ever fires. */
function parseCron(expression: string, timezone: string): string {
  const pattern = expandMacro(expression);
  const fields = pattern.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    const found = `found ${fields.length} field${fields.length === 1 ? '' : 's'}`;
    fail(
      'schedule_expression',
      `${found}, expected 5 (or 6 with seconds first): "minute hour day-of-month month day-of-week", e.g. "*/15 * * * *"`,
    );
  }
  const normalized = fields.join(' ');
  let cron: Cron;
  try {
    cron = new Cron(normalized, cronOptions(timezone));
  } catch (error) {
    failExpression('cron', explainCronerError(error, fields.length === 5 ? ['0', ...fields] : fields));
  }
  if (cron.nextRun() === null) {
    failExpression('cron', `"${expression}" never fires (no date matches it, e.g. day 31 of February)`);
  }
  return normalized;
}

function expandMacro(expression: string): string {
  if (!expression.startsWith('@')) return expression;
  const pattern = CRON_MACROS[expression.toLowerCase()];
  if (!pattern) failExpression('cron', `unknown macro "${expression}" (known: ${Object.keys(CRON_MACROS).join(', ')})`);
  return pattern;
}

/**
 * Rewords croner's messages ("CronPattern: Invalid value for hour: 25") for API users, quoting
 * the user's own field: croner reports some values zero-based. `fields` has 6 entries.
 */
function explainCronerError(error: unknown, fields: string[]): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
  const invalidValue = /^Invalid value for (\w+)/.exec(message);
  const index = invalidValue ? CRONER_PARTS[invalidValue[1]] : undefined;
  if (index !== undefined) {
    return `the ${CRON_FIELDS[index]} field "${fields[index]}" is out of range (${FIELD_RANGES[index]})`;
  }
  const entry = /configuration entry (\d+) \((.*)\) contains illegal characters/.exec(message);
  if (entry) {
    const name = CRON_FIELDS[Number(entry[1])] ?? `field ${Number(entry[1]) + 1}`;
    return `the ${name} field "${entry[2]}" contains characters cron does not allow`;
  }
  return message.replace(/\.$/, '');
}
