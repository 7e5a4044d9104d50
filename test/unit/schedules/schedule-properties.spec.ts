import fc from 'fast-check';
import { nextFireTimes } from '../../../src/modules/schedules/schedule-calculator';
import { parseSchedule } from '../../../src/modules/schedules/schedule-parser';
import type { ScheduleSpec } from '../../../src/modules/schedules/schedule.types';

/**
 * Property: the next runs are strictly increasing and are exactly the instants an independent
 * minute-by-minute oracle expects, in local time, over a bounded window (so none is skipped).
 * The oracle encodes the DST rules of SPEC.md: a fixed-time job whose local time falls in a gap
 * fires at the first instant after it and fires once in a repeated hour; other jobs follow the
 * wall clock (nothing in a gap, both repeated occurrences).
 */
const MINUTE = 60_000;
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham'];
// DST changes (UTC) per zone, so that many samples start near one, in the zone that has it.
const TRANSITIONS: Array<[string, string]> = [
  ['America/New_York', '2026-03-08T07:00Z'],
  ['America/New_York', '2026-11-01T06:00Z'],
  ['Europe/Berlin', '2026-03-29T01:00Z'],
  ['Europe/Berlin', '2026-10-25T01:00Z'],
  ['Australia/Sydney', '2026-04-04T16:00Z'],
  ['Australia/Sydney', '2026-10-03T16:00Z'],
  ['Pacific/Chatham', '2026-04-04T14:00Z'],
  ['Pacific/Chatham', '2026-09-26T14:00Z'],
  ['UTC', '2028-02-28T12:00Z'],
  ['Asia/Kolkata', '2027-02-28T12:00Z'],
];

/** Local wall-clock time as a minute count (local fields read through getUTC*). */
const offsetCache = new Map<string, Map<number, number>>();
function localMinute(zone: string, utcMs: number): number {
  const bucket = Math.floor(utcMs / (15 * MINUTE)); // offsets change on quarter hours only
  const zoneCache = offsetCache.get(zone) ?? offsetCache.set(zone, new Map()).get(zone)!;
  let offset = zoneCache.get(bucket);
  if (offset === undefined) {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    }).formatToParts(new Date(bucket * 15 * MINUTE));
    const get = (type: string) => Number(parts.find((part) => part.type === type)!.value);
    offset = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - bucket * 15 * MINUTE;
    zoneCache.set(bucket, offset);
  }
  return Math.floor((utcMs + offset) / MINUTE);
}

interface Case {
  spec: ScheduleSpec;
  /** Does this local minute match the expression? */
  matches: (local: Date) => boolean;
  fixedTime: boolean;
  windowDays: number;
}

/** The instants in (from, end] at which the schedule should fire, per the rules above. */
function oracle(c: Case, from: number, end: number): number[] {
  const zone = c.spec.timezone!;
  const matchesAt = (minute: number) => c.matches(new Date(minute * MINUTE));
  const start = Math.floor(from / MINUTE) * MINUTE + MINUTE;
  let seen = -Infinity;
  for (let t = start - 180 * MINUTE; t < start; t += MINUTE) seen = Math.max(seen, localMinute(zone, t));
  let previous = localMinute(zone, start - MINUTE);
  const fires: number[] = [];
  for (let t = start; t <= end; t += MINUTE) {
    const local = localMinute(zone, t);
    let fires_ = matchesAt(local) && !(c.fixedTime && local <= seen);
    for (let skipped = previous + 1; c.fixedTime && !fires_ && skipped < local; skipped++) fires_ = matchesAt(skipped);
    if (fires_) fires.push(t);
    previous = local;
    seen = Math.max(seen, local);
  }
  return fires;
}

const daysInMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
const pad = (n: number) => String(n).padStart(2, '0');

interface Field {
  text: string;
  has: (value: number) => boolean;
}
function field(min: number, max: number): fc.Arbitrary<Field> {
  const value = fc.integer({ min, max });
  const range = fc.tuple(value, value).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
  const step = fc.integer({ min: 2, max: Math.max(2, Math.floor((max - min) / 2)) });
  return fc.oneof(
    fc.constant({ text: '*', has: () => true }),
    value.map((v) => ({ text: `${v}`, has: (x: number) => x === v })),
    fc
      .uniqueArray(value, { minLength: 2, maxLength: 3 })
      .map((vs) => ({ text: vs.join(','), has: (x: number) => vs.includes(x) })),
    range.map(([a, b]) => ({ text: `${a}-${b}`, has: (x: number) => x >= a && x <= b })),
    step.map((k) => ({ text: `*/${k}`, has: (x: number) => (x - min) % k === 0 })),
    fc
      .tuple(range, step)
      .map(([[a, b], k]) => ({ text: `${a}-${b}/${k}`, has: (x: number) => x >= a && x <= b && (x - a) % k === 0 })),
  );
}

const zone = fc.constantFrom(...ZONES);
// Half of the times fall in the hours where DST changes happen (01:00–04:00 local).
const time = fc.tuple(
  fc.oneof(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 3 })),
  fc.integer({ min: 0, max: 59 }),
);
const atTime = (h: number, m: number) => (d: Date) => d.getUTCHours() === h && d.getUTCMinutes() === m;

const dailyCase = (tz: string) =>
  time.map(([h, m]): Case => ({
    spec: { type: 'daily', expression: `${pad(h)}:${pad(m)}`, timezone: tz },
    matches: atTime(h, m),
    fixedTime: true,
    windowDays: 2,
  }));
const weeklyCase = (tz: string) =>
  fc.tuple(fc.integer({ min: 0, max: 6 }), time).map(([day, [h, m]]): Case => ({
    spec: { type: 'weekly', expression: `${day}:${pad(h)}:${pad(m)}`, timezone: tz },
    matches: (d) => atTime(h, m)(d) && d.getUTCDay() === (day + 1) % 7,
    fixedTime: true,
    windowDays: 8,
  }));
const monthlyCase = (tz: string) =>
  fc.tuple(fc.integer({ min: 1, max: 31 }), time).map(([day, [h, m]]): Case => ({
    spec: { type: 'monthly', expression: `${day}:${pad(h)}:${pad(m)}`, timezone: tz },
    matches: (d) => atTime(h, m)(d) && d.getUTCDate() === Math.min(day, daysInMonth(d)),
    fixedTime: true,
    windowDays: 32,
  }));
const dom = fc.oneof(field(1, 31), fc.constant({ text: 'L', has: () => false }));
const cronCase = (tz: string) =>
  fc
    .tuple(
      field(0, 59),
      field(0, 23),
      dom,
      fc.oneof({ arbitrary: fc.constant({ text: '*', has: () => true }), weight: 3 }, field(1, 12)),
      field(0, 6),
    )
    .map(([minute, hour, day, month, weekday]): Case => {
      const dayMatches = (d: Date) => (day.text === 'L' ? d.getUTCDate() === daysInMonth(d) : day.has(d.getUTCDate()));
      const vixieOr = day.text !== '*' && weekday.text !== '*';
      return {
        spec: {
          type: 'cron',
          expression: [minute, hour, day, month, weekday].map((f) => f.text).join(' '),
          timezone: tz,
        },
        matches: (d) =>
          minute.has(d.getUTCMinutes()) &&
          hour.has(d.getUTCHours()) &&
          month.has(d.getUTCMonth() + 1) &&
          (vixieOr ? dayMatches(d) || weekday.has(d.getUTCDay()) : dayMatches(d) && weekday.has(d.getUTCDay())),
        fixedTime: !/[*/]/.test(minute.text + hour.text),
        windowDays: 2,
      };
    });

const anyFrom = fc.integer({ min: Date.parse('2026-01-01T00:00Z'), max: Date.parse('2028-12-31T00:00Z') });
/** A zone and a start instant: anywhere, or up to two days before one of the zone's DST changes. */
const setting = fc.oneof(
  fc.tuple(zone, anyFrom),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -2 * 1440 * 60, max: 3600 }))
    .map(([[tz, t], s]) => [tz, Date.parse(t) + s * 1000] as const),
);
const withSetting = (cases: (tz: string) => fc.Arbitrary<Case>) =>
  setting.chain(([tz, fromMs]) => cases(tz).map((c) => [c, fromMs] as const));

const neverFires = (spec: ScheduleSpec) => {
  try {
    parseSchedule(spec);
    return false;
  } catch {
    return true;
  }
};

describe('next_runs (property)', () => {
  it.each([
    ['daily', dailyCase, 150],
    ['weekly', weeklyCase, 50],
    ['monthly', monthlyCase, 25],
    ['cron', cronCase, 150],
  ] as const)('%s: strictly increasing, matching in local time, none skipped', (_kind, cases, numRuns) => {
    fc.assert(
      fc.property(withSetting(cases), ([c, fromMs]) => {
        fc.pre(!neverFires(c.spec));
        const runs = nextFireTimes(c.spec, new Date(fromMs), 5).map((run) => run.getTime());
        expect(runs.length).toBe(5);
        runs.forEach((run, i) => expect(run).toBeGreaterThan(i === 0 ? fromMs : runs[i - 1]));
        const end = Math.min(runs[4], fromMs + c.windowDays * 1440 * MINUTE);
        expect(runs.filter((run) => run <= end)).toEqual(oracle(c, fromMs, end));
        // Runs beyond the window are each checked on their own.
        for (const run of runs.filter((r) => r > end)) expect(oracle(c, run - MINUTE, run)).toEqual([run]);
      }),
      { numRuns },
    );
  });

  it('interval: every N minutes on the anchor lattice, or from `from` + N without one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 525_600 }),
        anyFrom,
        fc.option(fc.integer({ min: 0, max: 1_000_000 })),
        zone,
        (n, fromMs, back, tz) => {
          const anchor = back === null ? null : new Date(fromMs - back * 1000);
          const runs = nextFireTimes(
            { type: 'interval', expression: `${n}`, timezone: tz },
            new Date(fromMs),
            4,
            anchor,
          ).map((run) => run.getTime());
          const first = anchor
            ? anchor.getTime() + (Math.floor((fromMs - anchor.getTime()) / (n * MINUTE)) + 1) * n * MINUTE
            : Math.floor((fromMs + n * MINUTE) / 1000) * 1000;
          expect(runs).toEqual([0, 1, 2, 3].map((k) => first + k * n * MINUTE));
          expect(runs[0]).toBeGreaterThan(fromMs);
        },
      ),
      { numRuns: 200 },
    );
  });
});
