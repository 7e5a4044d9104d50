import { Cron } from 'croner';
import {
  SCAN_LIMIT,
  describeSchedule,
  dueFireTimes,
  fireTimesBetween,
  nextFireTime,
  nextFireTimes,
} from '../../../src/modules/schedules/schedule-calculator';
import type { ScheduleSpec } from '../../../src/modules/schedules/schedule.types';

const at = (iso: string) => new Date(iso);
const runs = (spec: ScheduleSpec, from: string, count: number, anchor?: string) =>
  nextFireTimes(spec, at(from), count, anchor ? at(anchor) : undefined).map((time) => time.toISOString());

describe('nextFireTime', () => {
  it('is strictly after `after`, even when `after` is itself a fire time', () => {
    const spec: ScheduleSpec = { type: 'daily', expression: '09:30' };
    expect(nextFireTime(spec, at('2026-01-01T09:30:00Z'))).toEqual(at('2026-01-02T09:30:00Z'));
    expect(nextFireTime(spec, at('2026-01-01T09:29:59.500Z'))).toEqual(at('2026-01-01T09:30:00Z'));
    expect(nextFireTime(spec, at('2026-01-01T09:30:00.001Z'))).toEqual(at('2026-01-02T09:30:00Z'));
  });

  describe('interval', () => {
    const every45: ScheduleSpec = { type: 'interval', expression: '45' };

    it('without an anchor, starts N minutes after `after` with milliseconds dropped', () => {
      expect(nextFireTime(every45, at('2026-01-01T10:00:12.345Z'))).toEqual(at('2026-01-01T10:45:12Z'));
    });

    it('with an anchor, stays on anchor + k·N (no drift) and crosses midnight', () => {
      expect(nextFireTime(every45, at('2026-01-01T23:50:07Z'), at('2026-01-01T23:30:00Z'))).toEqual(
        at('2026-01-02T00:15:00Z'),
      );
      expect(runs(every45, '2026-01-01T23:31:00Z', 3, '2026-01-01T23:30:00Z')).toEqual([
        '2026-01-02T00:15:00.000Z',
        '2026-01-02T01:00:00.000Z',
        '2026-01-02T01:45:00.000Z',
      ]);
    });

    it('counts absolute minutes across a DST change, whatever the time zone', () => {
      const hourly: ScheduleSpec = { type: 'interval', expression: '60', timezone: 'America/New_York' };
      // 2026-03-08 02:00 EST → 03:00 EDT: local 01:00, 03:00, 04:00 are one real hour apart.
      expect(runs(hourly, '2026-03-08T06:00:00Z', 3, '2026-03-08T06:00:00Z')).toEqual([
        '2026-03-08T07:00:00.000Z',
        '2026-03-08T08:00:00.000Z',
        '2026-03-08T09:00:00.000Z',
      ]);
    });
  });

  describe('daily, weekly and monthly', () => {
    it('daily fires at the local time every day, also in a +05:30 zone', () => {
      expect(runs({ type: 'daily', expression: '09:30', timezone: 'Asia/Kolkata' }, '2026-01-01T00:00:00Z', 2)).toEqual(
        ['2026-01-01T04:00:00.000Z', '2026-01-02T04:00:00.000Z'],
      );
    });

    it('weekly counts days from Monday = 0 to Sunday = 6', () => {
      // 2026-01-01 is a Thursday.
      expect(runs({ type: 'weekly', expression: '0:09:00' }, '2026-01-01T00:00:00Z', 1)).toEqual([
        '2026-01-05T09:00:00.000Z',
      ]);
      expect(runs({ type: 'weekly', expression: '6:07:15' }, '2026-01-01T00:00:00Z', 2)).toEqual([
        '2026-01-04T07:15:00.000Z',
        '2026-01-11T07:15:00.000Z',
      ]);
    });

    it('monthly day 31 fires on the last day of shorter months (non-leap 2027)', () => {
      expect(runs({ type: 'monthly', expression: '31:10:00' }, '2027-01-01T00:00:00Z', 6)).toEqual([
        '2027-01-31T10:00:00.000Z',
        '2027-02-28T10:00:00.000Z',
        '2027-03-31T10:00:00.000Z',
        '2027-04-30T10:00:00.000Z',
        '2027-05-31T10:00:00.000Z',
        '2027-06-30T10:00:00.000Z',
      ]);
    });

    it('monthly day 31 fires on February 29 in the leap year 2028', () => {
      expect(runs({ type: 'monthly', expression: '31:10:00' }, '2028-01-15T00:00:00Z', 3)).toEqual([
        '2028-01-31T10:00:00.000Z',
        '2028-02-29T10:00:00.000Z',
        '2028-03-31T10:00:00.000Z',
      ]);
    });

    it('monthly day 30 fires on day 30 in April and on the last day of February', () => {
      expect(runs({ type: 'monthly', expression: '30:00:00' }, '2027-01-01T00:00:00Z', 4)).toEqual([
        '2027-01-30T00:00:00.000Z',
        '2027-02-28T00:00:00.000Z',
        '2027-03-30T00:00:00.000Z',
        '2027-04-30T00:00:00.000Z',
      ]);
      expect(runs({ type: 'monthly', expression: '30:00:00' }, '2028-02-01T00:00:00Z', 1)).toEqual([
        '2028-02-29T00:00:00.000Z',
      ]);
    });

    it('monthly day 29 fires once in a leap February and on the 28th otherwise', () => {
      const spec: ScheduleSpec = { type: 'monthly', expression: '29:06:00' };
      expect(runs(spec, '2027-02-01T00:00:00Z', 2)).toEqual(['2027-02-28T06:00:00.000Z', '2027-03-29T06:00:00.000Z']);
      expect(runs(spec, '2028-02-01T00:00:00Z', 2)).toEqual(['2028-02-29T06:00:00.000Z', '2028-03-29T06:00:00.000Z']);
    });
  });

  describe('cron', () => {
    it.each<[string, string, string[]]>([
      [
        '0 0 1 * 1',
        'ORs day-of-month and day-of-week (Vixie)',
        ['2026-01-01', '2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26', '2026-02-01'],
      ],
      ['0 0 L * *', 'supports L (last day of the month)', ['2026-01-31', '2026-02-28', '2026-03-31']],
      ['0 0 15W * *', 'supports W (nearest weekday)', ['2026-01-15', '2026-02-16', '2026-03-16']],
      ['0 0 * * FRI#2', 'supports # (nth weekday) and names', ['2026-01-09', '2026-02-13', '2026-03-13']],
      ['0 0 1 JAN,JUL *', 'supports month names in lists', ['2026-01-01', '2026-07-01', '2027-01-01']],
      ['@monthly', 'supports macros', ['2026-01-01', '2026-02-01', '2026-03-01']],
    ])('%s %s', (expression, _title, days) => {
      expect(runs({ type: 'cron', expression }, '2025-12-31T12:00:00Z', days.length)).toEqual(
        days.map((day) => `${day}T00:00:00.000Z`),
      );
    });

    it('supports ranges and steps', () => {
      expect(runs({ type: 'cron', expression: '10-50/20 9-10 * * *' }, '2026-01-01T00:00:00Z', 4)).toEqual([
        '2026-01-01T09:10:00.000Z',
        '2026-01-01T09:30:00.000Z',
        '2026-01-01T09:50:00.000Z',
        '2026-01-01T10:10:00.000Z',
      ]);
    });

    it('reads 6 fields as seconds first', () => {
      expect(runs({ type: 'cron', expression: '30 0 9 * * *' }, '2026-01-01T00:00:00Z', 1)).toEqual([
        '2026-01-01T09:00:30.000Z',
      ]);
    });
  });
});

describe('DST: nonexistent local times fire after the gap, ambiguous ones once', () => {
  it.each<[string, string, string, string, string[]]>([
    [
      'America/New_York',
      'spring forward',
      '02:30',
      '2026-03-07T12:00:00Z',
      ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'],
    ],
    [
      'America/New_York',
      'fall back',
      '01:30',
      '2026-10-31T12:00:00Z',
      ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'],
    ],
    [
      'Europe/Berlin',
      'spring forward',
      '02:30',
      '2026-03-28T12:00:00Z',
      ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
    ],
    [
      'Europe/Berlin',
      'fall back',
      '02:30',
      '2026-10-24T12:00:00Z',
      ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    ],
    // Southern hemisphere: DST starts on the first Sunday of October and ends on the first Sunday of April.
    [
      'Australia/Sydney',
      'spring forward',
      '02:30',
      '2026-10-03T00:00:00Z',
      ['2026-10-03T16:00:00.000Z', '2026-10-04T15:30:00.000Z'],
    ],
    [
      'Australia/Sydney',
      'fall back',
      '02:30',
      '2026-04-04T00:00:00Z',
      ['2026-04-04T15:30:00.000Z', '2026-04-05T16:30:00.000Z'],
    ],
  ])('%s %s: daily %s', (timezone, _change, time, from, expected) => {
    expect(runs({ type: 'daily', expression: time, timezone }, from, 2)).toEqual(expected);
  });

  it('an hourly cron skips the missing hour and fires in both repeated hours (absolute hours)', () => {
    const hourly: ScheduleSpec = { type: 'cron', expression: '0 * * * *', timezone: 'America/New_York' };
    expect(runs(hourly, '2026-03-08T05:30:00Z', 3)).toEqual([
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ]);
    expect(runs(hourly, '2026-11-01T04:30:00Z', 3)).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('a cron with a list of hours is a fixed-time job too (02:30 → 03:00)', () => {
    const spec: ScheduleSpec = { type: 'cron', expression: '30 2,14 * * *', timezone: 'America/New_York' };
    expect(runs(spec, '2026-03-08T00:00:00Z', 2)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-08T18:30:00.000Z']);
  });
});

describe('dueFireTimes', () => {
  const hourly: ScheduleSpec = { type: 'cron', expression: '0 * * * *' };
  const due = (
    policy: 'run_once' | 'skip' | 'run_all',
    now: string,
    catchupMax = 10,
    scheduledFor = '2026-01-01T10:00:00Z',
  ) => {
    const result = dueFireTimes(hourly, { scheduledFor: at(scheduledFor), now: at(now), policy, catchupMax });
    return {
      fireTimes: result.fireTimes.map((time) => time.toISOString().slice(11, 16)),
      nextRunAt: result.nextRunAt?.toISOString(),
    };
  };
  const next = '2026-01-01T14:00:00.000Z';

  it('returns nothing before scheduledFor and keeps it as nextRunAt', () => {
    expect(due('run_all', '2026-01-01T09:59:59Z')).toEqual({ fireTimes: [], nextRunAt: '2026-01-01T10:00:00.000Z' });
  });

  it.each(['run_once', 'run_all'] as const)('%s: a single due fire time runs, however late', (policy) => {
    expect(due(policy, '2026-01-01T13:20:00Z', 10, '2026-01-01T13:00:00Z')).toEqual({
      fireTimes: ['13:00'],
      nextRunAt: next,
    });
  });

  it('skip: a single fire time runs when on time and is dropped when later than the grace', () => {
    expect(due('skip', '2026-01-01T13:00:05Z', 10, '2026-01-01T13:00:00Z')).toEqual({
      fireTimes: ['13:00'],
      nextRunAt: next,
    });
    expect(due('skip', '2026-01-01T13:20:00Z', 10, '2026-01-01T13:00:00Z')).toEqual({ fireTimes: [], nextRunAt: next });
  });

  it('run_once: several missed fire times collapse into one run for the latest', () => {
    expect(due('run_once', '2026-01-01T13:00:30Z')).toEqual({ fireTimes: ['13:00'], nextRunAt: next });
  });

  it('skip: runs the latest fire time only while it is within the grace', () => {
    expect(due('skip', '2026-01-01T13:00:30Z')).toEqual({ fireTimes: ['13:00'], nextRunAt: next });
    expect(due('skip', '2026-01-01T13:05:00Z')).toEqual({ fireTimes: [], nextRunAt: next });
    const graced = dueFireTimes(hourly, {
      scheduledFor: at('2026-01-01T10:00:00Z'),
      now: at('2026-01-01T13:05:00Z'),
      policy: 'skip',
      catchupMax: 1,
      graceMs: 600_000,
    });
    expect(graced.fireTimes).toEqual([at('2026-01-01T13:00:00Z')]);
  });

  it('run_all: every missed fire time, capped at catchupMax keeping the most recent', () => {
    expect(due('run_all', '2026-01-01T13:00:30Z')).toEqual({
      fireTimes: ['10:00', '11:00', '12:00', '13:00'],
      nextRunAt: next,
    });
    expect(due('run_all', '2026-01-01T13:00:30Z', 2)).toEqual({ fireTimes: ['12:00', '13:00'], nextRunAt: next });
  });

  it('interval: stays on the lattice anchored at scheduledFor', () => {
    const every15: ScheduleSpec = { type: 'interval', expression: '15' };
    const result = dueFireTimes(every15, {
      scheduledFor: at('2026-01-01T10:00:00Z'),
      now: at('2026-01-01T11:07:00Z'),
      policy: 'run_all',
      catchupMax: 3,
    });
    expect(result.fireTimes.map((time) => time.toISOString())).toEqual([
      '2026-01-01T10:30:00.000Z',
      '2026-01-01T10:45:00.000Z',
      '2026-01-01T11:00:00.000Z',
    ]);
    expect(result.nextRunAt).toEqual(at('2026-01-01T11:15:00Z'));
  });

  it('a long outage of an every-second cron jumps ahead instead of walking every missed fire time, and keeps the most recent', () => {
    const everySecond: ScheduleSpec = { type: 'cron', expression: '* * * * * *' };
    const steps = jest.spyOn(Cron.prototype, 'nextRun');
    const result = dueFireTimes(everySecond, {
      scheduledFor: at('2026-01-01T00:00:00Z'),
      now: at('2026-01-03T00:00:00.500Z'),
      policy: 'run_all',
      catchupMax: 3,
    });
    // 172,800 fire times were missed; the walk stops after SCAN_LIMIT and resumes a minute before the end.
    expect(steps.mock.calls.length).toBeLessThan(SCAN_LIMIT + 100);
    steps.mockRestore();
    expect(result.fireTimes.map((time) => time.toISOString())).toEqual([
      '2026-01-02T23:59:58.000Z',
      '2026-01-02T23:59:59.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
    expect(result.nextRunAt).toEqual(at('2026-01-03T00:00:01Z'));
  });
});

describe('fireTimesBetween', () => {
  const between = (spec: ScheduleSpec, from: string, to: string, limit = 100, anchor?: string) =>
    fireTimesBetween(spec, at(from), at(to), limit, anchor ? at(anchor) : undefined).map((time) => time.toISOString());

  it('includes `from` and excludes `to`, in local time (daily 09:00 Europe/Paris across the spring change)', () => {
    const paris: ScheduleSpec = { type: 'daily', expression: '09:00', timezone: 'Europe/Paris' };
    expect(between(paris, '2026-03-28T08:00:00Z', '2026-03-30T07:00:00Z')).toEqual([
      '2026-03-28T08:00:00.000Z', // CET, UTC+1
      '2026-03-29T07:00:00.000Z', // CEST, UTC+2 from that night
    ]);
    expect(between(paris, '2026-03-28T08:00:00.001Z', '2026-03-30T07:00:00.001Z')).toEqual([
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });

  it('stops at `limit` (one more than accepted tells there are more) and answers [] for an empty range', () => {
    const everyMinute: ScheduleSpec = { type: 'cron', expression: '* * * * *' };
    expect(between(everyMinute, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:02:00.000Z',
    ]);
    expect(between(everyMinute, '2026-01-01T00:00:01Z', '2026-01-01T00:01:00Z')).toEqual([]);
    expect(
      between({ type: 'monthly', expression: '31:08:00' }, '2026-02-01T00:00:00Z', '2026-05-01T00:00:00Z'),
    ).toEqual(['2026-02-28T08:00:00.000Z', '2026-03-31T08:00:00.000Z', '2026-04-30T08:00:00.000Z']);
  });

  it("counts intervals on the anchor's lattice, before or after the range, else on `from`'s", () => {
    const every45: ScheduleSpec = { type: 'interval', expression: '45' };
    const expected = ['2026-01-01T10:15:00.000Z', '2026-01-01T11:00:00.000Z', '2026-01-01T11:45:00.000Z'];
    expect(between(every45, '2026-01-01T10:00:00Z', '2026-01-01T12:00:00Z', 100, '2026-01-01T08:45:00Z')).toEqual(
      expected,
    );
    expect(between(every45, '2026-01-01T10:00:00Z', '2026-01-01T12:00:00Z', 100, '2026-01-03T05:45:00Z')).toEqual(
      expected,
    );
    expect(between(every45, '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z')).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:45:00.000Z',
    ]);
  });
});

describe('describeSchedule', () => {
  it.each<[ScheduleSpec, string]>([
    [{ type: 'daily', expression: '09:30', timezone: 'UTC' }, 'At 09:30, every day (UTC)'],
    [{ type: 'daily', expression: '9:05' }, 'At 09:05, every day (UTC)'],
    [{ type: 'interval', expression: '30' }, 'Every 30 minutes'],
    [{ type: 'interval', expression: '1' }, 'Every minute'],
    [{ type: 'weekly', expression: '0:09:00' }, 'At 09:00, every Monday (UTC)'],
    [{ type: 'weekly', expression: '6:18:00', timezone: 'Asia/Kolkata' }, 'At 18:00, every Sunday (Asia/Kolkata)'],
    [{ type: 'monthly', expression: '1:08:00' }, 'At 08:00, on day 1 of every month (UTC)'],
    [
      { type: 'monthly', expression: '31:08:00' },
      "At 08:00, on day 31 of every month, or on the month's last day in shorter months (UTC)",
    ],
    [
      { type: 'cron', expression: '*/5 9-17 * * MON-FRI', timezone: 'Europe/Berlin' },
      'Every 5 minutes, between 09:00 and 17:59, Monday through Friday (Europe/Berlin)',
    ],
    [{ type: 'cron', expression: '@daily' }, 'At 00:00 (UTC)'],
  ])('%j → %s', (spec, words) => {
    expect(describeSchedule(spec)).toBe(words);
  });
});
