import { Cron } from 'croner';
import cronstrue from 'cronstrue';
import { CRON_MACROS, cronOptions, normalizeSpec, parseSchedule, type ParsedSchedule } from './schedule-parser';
import type { MisfirePolicy, ScheduleSpec } from './schedule.types';

const MINUTE_MS = 60_000;
/** Fire times walked one by one before a long outage jumps ahead (see lastDueTimes). */
export const SCAN_LIMIT = 256;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

// Croner objects are immutable for our use (paused, never started), so they are shared.
const cronCache = new Map<string, Cron>();
function cronFor(pattern: string, timezone: string): Cron {
  const key = `${timezone}|${pattern}`;
  let cron = cronCache.get(key);
  if (!cron) {
    if (cronCache.size >= 1_000) cronCache.clear();
    cron = new Cron(pattern, cronOptions(timezone));
    cronCache.set(key, cron);
  }
  return cron;
}

function nextParsed(parsed: ParsedSchedule, after: Date, anchor?: Date | null): Date | null {
  if (parsed.kind === 'interval') {
    const step = parsed.minutes * MINUTE_MS;
    // Without an anchor the schedule starts one interval from now, on a whole second.
    if (anchor == null) return new Date(Math.floor((after.getTime() + step) / 1000) * 1000);
    // Fire times are anchor + k·step in absolute time: no drift, and DST cannot move them.
    const k = Math.floor((after.getTime() - anchor.getTime()) / step) + 1;
    return new Date(anchor.getTime() + k * step);
  }
  // The union of the patterns: the earliest next run of any of them (equal instants merge).
  let best: Date | null = null;
  for (const pattern of parsed.patterns) {
    const next = cronFor(pattern, parsed.timezone).nextRun(after);
    if (next && (!best || next < best)) best = next;
  }
  return best;
}

/**
 * The first fire time strictly after `after`. For interval schedules `anchor` is the previous
 * fire time; without one the first fire time is `after` + N minutes (milliseconds dropped).
 * Null when the schedule never fires again. Throws InvalidScheduleError for a bad spec.
 */
export function nextFireTime(spec: ScheduleSpec, after: Date, anchor?: Date | null): Date | null {
  return nextParsed(parseSchedule(spec), after, anchor);
}

/** The next `count` fire times after `from`; each one anchors the next for interval schedules. */
export function nextFireTimes(spec: ScheduleSpec, from: Date, count: number, anchor?: Date | null): Date[] {
  const parsed = parseSchedule(spec);
  const times: Date[] = [];
  let cursor = from;
  let previous = anchor ?? null;
  while (times.length < count) {
    const next = nextParsed(parsed, cursor, previous);
    if (!next) break;
    times.push(next);
    cursor = next;
    previous = next;
  }
  return times;
}

/**
 * The fire times in [from, to), oldest first, at most `limit` of them (ask for one more than
 * you accept to learn that there are more). Interval schedules count on the lattice of `anchor`
 * (a fire time of the job, past or future), or of `from` without one.
 */
export function fireTimesBetween(
  spec: ScheduleSpec,
  from: Date,
  to: Date,
  limit: number,
  anchor?: Date | null,
): Date[] {
  const parsed = parseSchedule(spec);
  const lattice = anchor ?? from;
  const times: Date[] = [];
  // nextParsed answers strictly after its argument: a millisecond before `from` lets `from` itself count.
  let next = nextParsed(parsed, new Date(from.getTime() - 1), lattice);
  while (next && next < to && times.length < limit) {
    times.push(next);
    next = nextParsed(parsed, next, lattice);
  }
  return times;
}

export interface DueFireTimesInput {
  /** The job's next_run_at that came due: the first fire time not yet dispatched. */
  scheduledFor: Date;
  now: Date;
  policy: MisfirePolicy;
  /** run_all: at most this many catch-up runs (the most recent ones). Values below 1 count as 1. */
  catchupMax: number;
  /** skip: how late a fire time may be and still count as on time. Default 60 000 ms. */
  graceMs?: number;
}

export interface DueFireTimes {
  /** Fire times to create runs for, oldest first. */
  fireTimes: Date[];
  /** The first fire time strictly after `now` (null: the schedule never fires again). */
  nextRunAt: Date | null;
}

/**
 * The misfire computation of the dispatcher. The due fire times are `scheduledFor` and every
 * later fire time up to and including `now`.
 * - Nothing due yet (scheduledFor > now): no runs, nextRunAt stays scheduledFor.
 * - One or more due:
 *   - `run_once`: one run, for the latest due fire time (missed ones collapse into it).
 *   - `skip`: only a fire time that is due on time runs: the latest one, if `now` is within
 *     `graceMs` of it. Every older one is dropped, and if the latest is late too (even when it
 *     is the only one due), nothing runs.
 *   - `run_all`: every due fire time, capped at `catchupMax`, keeping the most recent ones
 *     (the oldest are the least useful and would delay the current one the most).
 * For interval schedules `scheduledFor` is the anchor, so nextRunAt stays on its lattice.
 */
export function dueFireTimes(spec: ScheduleSpec, input: DueFireTimesInput): DueFireTimes {
  const { scheduledFor, now, policy } = input;
  const parsed = parseSchedule(spec);
  if (scheduledFor > now) return { fireTimes: [], nextRunAt: scheduledFor };
  const cap = Number.isFinite(input.catchupMax) ? Math.max(1, Math.floor(input.catchupMax)) : 1;
  const keep = policy === 'run_all' ? cap : 1;
  const recent = lastDueTimes(parsed, scheduledFor, now, keep);
  const latest = recent[recent.length - 1];
  const nextRunAt = nextParsed(parsed, now, parsed.kind === 'interval' ? scheduledFor : null);
  // `skip` drops a fire time that is later than the grace, even a single one: it was missed.
  if (policy === 'run_once' || policy === 'run_all') return { fireTimes: recent, nextRunAt };
  const onTime = now.getTime() - latest.getTime() <= (input.graceMs ?? 60_000);
  return { fireTimes: onTime ? [latest] : [], nextRunAt };
}

/** The last `keep` due fire times in [scheduledFor, now], oldest first. */
function lastDueTimes(parsed: ParsedSchedule, scheduledFor: Date, now: Date, keep: number): Date[] {
  if (parsed.kind === 'interval') {
    const step = parsed.minutes * MINUTE_MS;
    const count = Math.floor((now.getTime() - scheduledFor.getTime()) / step) + 1;
    const recent = Array.from(
      { length: Math.min(keep, count) },
      (_, i) => new Date(scheduledFor.getTime() + (count - 1 - i) * step),
    );
    return recent.reverse();
  }
  const recent: Date[] = [scheduledFor];
  let cursor: Date | null = scheduledFor;
  let scanned = 0;
  while ((cursor = nextParsed(parsed, cursor)) && cursor <= now) {
    if (++scanned === SCAN_LIMIT) {
      // Long outage: jump to shortly before the last `keep` fire times instead of walking
      // every missed one.
      const jump = jumpBefore(parsed, now, keep);
      if (jump > cursor) {
        cursor = jump;
        continue;
      }
    }
    recent.push(cursor);
    if (recent.length > keep) recent.shift();
  }
  return recent;
}

/** A point before the `keep`-th most recent fire time at or before now (walking backwards). */
function jumpBefore(parsed: ParsedSchedule & { kind: 'cron' }, now: Date, keep: number): Date {
  const reference = new Date(now.getTime() + 1000);
  let earliest = now.getTime();
  for (const pattern of parsed.patterns) {
    const previous = cronFor(pattern, parsed.timezone).previousRuns(keep, reference);
    const oldest = previous[previous.length - 1];
    if (oldest && oldest.getTime() < earliest) earliest = oldest.getTime();
  }
  // A margin as wide as the kept span (at least a minute, at most an hour): forward and
  // backward walks may disagree around a DST change, and the forward walk is the authority.
  const margin = Math.min(3_600_000, Math.max(60_000, now.getTime() - earliest));
  return new Date(earliest - margin);
}

/** The schedule in words, e.g. "At 09:30, every day (UTC)". Throws InvalidScheduleError. */
export function describeSchedule(spec: ScheduleSpec): string {
  parseSchedule(spec);
  const { type, expression, timezone } = normalizeSpec(spec);
  if (type === 'interval') {
    const minutes = Number(expression);
    return minutes === 1 ? 'Every minute' : `Every ${minutes} minutes`;
  }
  if (type === 'cron') {
    const pattern = CRON_MACROS[expression.toLowerCase()] ?? expression.split(/\s+/).join(' ');
    return `${cronWords(pattern)} (${timezone})`;
  }
  const parts = expression.split(':').map(Number);
  const [hour, minute] = parts.slice(-2);
  const time = `At ${pad(hour)}:${pad(minute)}`;
  if (type === 'daily') return `${time}, every day (${timezone})`;
  if (type === 'weekly') return `${time}, every ${WEEKDAYS[parts[0]]} (${timezone})`;
  const day = parts[0];
  const shorter = day > 28 ? ", or on the month's last day in shorter months" : '';
  return `${time}, on day ${day} of every month${shorter} (${timezone})`;
}

/** cronstrue covers what croner accepts as far as we know; a gap must not break a preview. */
function cronWords(pattern: string): string {
  try {
    return cronstrue.toString(pattern, { use24HourTimeFormat: true });
  } catch {
    return `Cron "${pattern}"`;
  }
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
