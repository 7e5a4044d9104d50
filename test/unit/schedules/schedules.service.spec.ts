import { Test } from '@nestjs/testing';
import { InvalidScheduleError } from '../../../src/modules/schedules/schedule-parser';
import { SchedulesModule } from '../../../src/modules/schedules/schedules.module';
import { SchedulesService } from '../../../src/modules/schedules/schedules.service';

describe(SchedulesService.name, () => {
  let service: SchedulesService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [SchedulesModule] }).compile();
    service = moduleRef.get(SchedulesService);
  });

  describe('validate', () => {
    it('returns the spec trimmed, with the time zone defaulted to UTC', () => {
      expect(service.validate({ type: 'cron', expression: '  0 9 * * *  ' })).toEqual({
        type: 'cron',
        expression: '0 9 * * *',
        timezone: 'UTC',
      });
    });

    it('throws InvalidScheduleError naming the field', () => {
      expect(() => service.validate({ type: 'daily', expression: '25:00' })).toThrow(InvalidScheduleError);
      expect(() => service.validate({ type: 'daily', expression: '10:00', timezone: 'Nowhere/Land' })).toThrow(
        /^timezone: /,
      );
    });
  });

  describe('nextRunAt', () => {
    it('is the first fire time after `after`, anchored for intervals', () => {
      expect(
        service.nextRunAt(
          { type: 'daily', expression: '09:30', timezone: 'Europe/Berlin' },
          new Date('2026-07-01T00:00:00Z'),
        ),
      ).toEqual(new Date('2026-07-01T07:30:00Z'));
      expect(
        service.nextRunAt(
          { type: 'interval', expression: '10' },
          new Date('2026-07-01T00:25:00Z'),
          new Date('2026-07-01T00:00:00Z'),
        ),
      ).toEqual(new Date('2026-07-01T00:30:00Z'));
    });
  });

  describe('preview', () => {
    it('lists the next runs as ISO strings with a description', () => {
      expect(service.preview({ type: 'daily', expression: '09:30' }, new Date('2026-01-01T12:00:00Z'), 2)).toEqual({
        valid: true,
        next_runs: ['2026-01-02T09:30:00.000Z', '2026-01-03T09:30:00.000Z'],
        description: 'At 09:30, every day (UTC)',
      });
    });

    it('starts an interval one interval after `from`', () => {
      const preview = service.preview({ type: 'interval', expression: '90' }, new Date('2026-01-01T23:00:00Z'), 2);
      expect(preview).toEqual({
        valid: true,
        next_runs: ['2026-01-02T00:30:00.000Z', '2026-01-02T02:00:00.000Z'],
        description: 'Every 90 minutes',
      });
    });

    it('reports a bad schedule instead of throwing', () => {
      expect(service.preview({ type: 'cron', expression: '0 0 31 2 *' }, new Date('2026-01-01T00:00:00Z'), 5)).toEqual({
        valid: false,
        error: expect.stringContaining('never fires'),
      });
      expect(service.preview({ type: 'cron', expression: '* * * *' }, new Date(), 5)).toEqual({
        valid: false,
        error: expect.stringContaining('found 4 fields, expected 5 (or 6 with seconds first)'),
      });
    });
  });

  describe('dueFireTimes', () => {
    it('delegates the misfire computation', () => {
      const result = service.dueFireTimes(
        { type: 'daily', expression: '00:00' },
        {
          scheduledFor: new Date('2026-01-01T00:00:00Z'),
          now: new Date('2026-01-03T00:00:10Z'),
          policy: 'run_once',
          catchupMax: 5,
        },
      );
      expect(result).toEqual({
        fireTimes: [new Date('2026-01-03T00:00:00Z')],
        nextRunAt: new Date('2026-01-04T00:00:00Z'),
      });
    });
  });
});
