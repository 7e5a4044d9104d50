import { ValidationFailedError } from '../../../src/common/errors';
import { InvalidScheduleError, normalizeSpec, parseSchedule } from '../../../src/modules/schedules/schedule-parser';
import type { ScheduleSpec } from '../../../src/modules/schedules/schedule.types';

function errorFor(spec: ScheduleSpec): InvalidScheduleError {
  try {
    parseSchedule(spec);
  } catch (error) {
    if (error instanceof InvalidScheduleError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be rejected`);
}

describe('parseSchedule', () => {
  describe('translates each kind into what the calculator runs', () => {
    it.each<[ScheduleSpec, unknown]>([
      [
        { type: 'interval', expression: '30' },
        { kind: 'interval', minutes: 30 },
      ],
      [
        { type: 'daily', expression: '09:30' },
        { kind: 'cron', patterns: ['30 9 * * *'], timezone: 'UTC' },
      ],
      [
        { type: 'weekly', expression: '0:09:00' },
        { kind: 'cron', patterns: ['0 9 * * 1'], timezone: 'UTC' },
      ],
      [
        { type: 'weekly', expression: '6:23:59' },
        { kind: 'cron', patterns: ['59 23 * * 0'], timezone: 'UTC' },
      ],
      [
        { type: 'monthly', expression: '28:08:00' },
        { kind: 'cron', patterns: ['0 8 28 * *'], timezone: 'UTC' },
      ],
      [
        { type: 'monthly', expression: '29:08:00' },
        { kind: 'cron', patterns: ['0 8 29 * *', '0 8 L 2 *'], timezone: 'UTC' },
      ],
      [
        { type: 'monthly', expression: '31:08:00' },
        { kind: 'cron', patterns: ['0 8 31 * *', '0 8 L 2,4,6,9,11 *'], timezone: 'UTC' },
      ],
      [
        { type: 'cron', expression: '  */5   9-17 * * MON-FRI ', timezone: 'Europe/Berlin' },
        { kind: 'cron', patterns: ['*/5 9-17 * * MON-FRI'], timezone: 'Europe/Berlin' },
      ],
      [
        { type: 'cron', expression: '@midnight' },
        { kind: 'cron', patterns: ['0 0 * * *'], timezone: 'UTC' },
      ],
      [
        { type: 'cron', expression: '30 0 9 * * *' },
        { kind: 'cron', patterns: ['30 0 9 * * *'], timezone: 'UTC' },
      ],
    ])('%j → %j', (spec, parsed) => {
      expect(parseSchedule(spec)).toEqual(parsed);
    });

    it.each([
      '@hourly',
      '@daily',
      '@weekly',
      '@monthly',
      '@yearly',
      '@annually',
      '0 0 L * *',
      '0 0 15W * *',
      '0 0 * * FRI#2',
      '0 0 * * 5L',
      '0 9 * JAN,JUL SUN',
    ])('accepts the cron expression %s', (expression) => {
      expect(() => parseSchedule({ type: 'cron', expression })).not.toThrow();
    });
  });

  describe('normalizeSpec', () => {
    it('trims the expression and defaults the time zone to UTC', () => {
      expect(normalizeSpec({ type: 'daily', expression: ' 09:30 ', timezone: null })).toEqual({
        type: 'daily',
        expression: '09:30',
        timezone: 'UTC',
      });
    });

    it('fixes the case of a time zone name but keeps aliases as given', () => {
      expect(normalizeSpec({ type: 'daily', expression: '09:30', timezone: 'europe/berlin' }).timezone).toBe(
        'Europe/Berlin',
      );
      expect(normalizeSpec({ type: 'daily', expression: '09:30', timezone: 'Asia/Calcutta' }).timezone).toBe(
        'Asia/Calcutta',
      );
    });
  });

  describe('rejects bad schedules with a message that says what is wrong and what is expected', () => {
    it('is a ValidationFailedError naming the field, with field details', () => {
      const error = errorFor({ type: 'daily', expression: '25:00' });
      expect(error).toBeInstanceOf(ValidationFailedError);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.field).toBe('schedule_expression');
      expect(error.details).toEqual([error.message]);
    });

    it.each<[ScheduleSpec, string[]]>([
      [
        { type: 'daily', expression: '25:00' },
        ['schedule_expression:', 'hour 25 is out of range', 'HH:MM (00:00–23:59)'],
      ],
      [
        { type: 'daily', expression: '09:60' },
        ['schedule_expression:', 'minute 60 is out of range', 'HH:MM (00:00–23:59)'],
      ],
      [{ type: 'daily', expression: '9h30' }, ['"9h30" is not in the right format', 'HH:MM (00:00–23:59)']],
      [{ type: 'daily', expression: '   ' }, ['schedule_expression: is empty', 'HH:MM']],
      [{ type: 'interval', expression: '0' }, ['interval 0 is out of range', 'whole number from 1 to 525600']],
      [{ type: 'interval', expression: '525601' }, ['interval 525601 is out of range', 'from 1 to 525600']],
      [{ type: 'interval', expression: '1.5' }, ['"1.5" is not a whole number', 'minutes']],
      [{ type: 'weekly', expression: '7:09:00' }, ['day 7 is out of range (0–6)', '0 = Monday … 6 = Sunday']],
      [{ type: 'weekly', expression: 'MON 09:00' }, ['not in the right format', 'D:HH:MM']],
      [{ type: 'monthly', expression: '0:08:00' }, ['day 0 is out of range (1–31)', 'D:HH:MM']],
      [{ type: 'monthly', expression: '32:08:00' }, ['day 32 is out of range (1–31)']],
      [{ type: 'monthly', expression: '1:24:00' }, ['hour 24 is out of range']],
      [{ type: 'cron', expression: '* * * *' }, ['found 4 fields, expected 5 (or 6 with seconds first)']],
      [{ type: 'cron', expression: '0 0 1 1 * 2030 *' }, ['found 7 fields, expected 5 (or 6 with seconds first)']],
      [{ type: 'cron', expression: '0 0 31 2 *' }, ['"0 0 31 2 *" never fires']],
      [
        { type: 'cron', expression: '61 * * * *' },
        ['the minute field \"61\" is out of range (0–59)', 'minute hour day-of-month month day-of-week'],
      ],
      [{ type: 'cron', expression: '0 25 * * *' }, ['the hour field \"25\" is out of range (0–23)']],
      [{ type: 'cron', expression: '0 0 32 * *' }, ['the day-of-month field "32" is out of range (1–31)']],
      [{ type: 'cron', expression: '30 0 0 * * 8' }, ['the day-of-week field "8" is out of range (0–7 or SUN–SAT)']],
      [
        { type: 'cron', expression: 'abc * * * *' },
        ['the minute field \"abc\" contains characters cron does not allow'],
      ],
      [{ type: 'cron', expression: '@reboot' }, ['unknown macro "@reboot"', '@daily']],
      [
        { type: 'daily', expression: '09:30', timezone: 'Mars/Olympus' },
        ['timezone: "Mars/Olympus" is not a known IANA time zone', 'Europe/Berlin'],
      ],
      [
        { type: 'daily', expression: '09:30', timezone: '+05:30' },
        ['timezone: "+05:30" is an offset, not an IANA time zone'],
      ],
      [
        { type: 'hourly' as never, expression: '1' },
        ['schedule_type: "hourly" is not a schedule type', 'interval, daily, weekly, monthly, cron'],
      ],
    ])('%j', (spec, fragments) => {
      const { message } = errorFor(spec);
      for (const fragment of fragments) expect(message).toContain(fragment);
    });
  });
});
