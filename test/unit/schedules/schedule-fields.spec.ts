import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors } from '../../../src/common/validation';
import { CreateJobDto } from '../../../src/modules/jobs/dto/create-job.dto';
import { UpdateJobDto } from '../../../src/modules/jobs/dto/update-job.dto';
import { ValidateScheduleDto } from '../../../src/modules/schedules/dto/validate-schedule.dto';
import { jobBody } from '../../factories/job.factory';

/** The lines of the 400 the API would answer for `body` (the global pipe's options), [] when valid. */
async function problems(cls: ClassConstructor<object>, body: Record<string, unknown>): Promise<string[]> {
  const instance = plainToInstance(cls, body, { enableImplicitConversion: false });
  return flattenValidationErrors(await validate(instance, { whitelist: true, forbidNonWhitelisted: true }));
}

function without(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _omitted, ...rest } = body;
  return rest;
}

const schedule = { schedule_type: 'daily', schedule_expression: '09:30', timezone: 'Europe/Paris' };

describe('the schedule fields', () => {
  const bodies: [string, ClassConstructor<object>, Record<string, unknown>][] = [
    ['CreateJobDto', CreateJobDto, jobBody(schedule)],
    ['ValidateScheduleDto', ValidateScheduleDto, { ...schedule, count: 3, from: '2026-01-01T00:00:00Z' }],
  ];

  describe.each(bodies)('in %s', (_name, cls, valid) => {
    it('accepts a valid body', async () => {
      await expect(problems(cls, valid)).resolves.toEqual([]);
    });

    it('accepts a body without timezone', async () => {
      await expect(problems(cls, without(valid, 'timezone'))).resolves.toEqual([]);
    });

    it('rejects a missing schedule_expression', async () => {
      await expect(problems(cls, without(valid, 'schedule_expression'))).resolves.toEqual([
        'schedule_expression must be a string',
      ]);
    });

    it('rejects an empty or overlong schedule_expression', async () => {
      await expect(problems(cls, { ...valid, schedule_expression: '' })).resolves.toEqual([
        'schedule_expression must be longer than or equal to 1 characters',
      ]);
      await expect(problems(cls, { ...valid, schedule_expression: '1'.repeat(201) })).resolves.toEqual([
        'schedule_expression must be shorter than or equal to 200 characters',
      ]);
    });

    it('rejects an unknown schedule_type', async () => {
      await expect(problems(cls, { ...valid, schedule_type: 'hourly' })).resolves.toEqual([
        'schedule_type must be one of: interval, daily, weekly, monthly, cron',
      ]);
    });

    // Whether the zone exists is the schedule parser's check; the body checks its shape.
    it('rejects a timezone that is null, not a string, empty or longer than 64 characters', async () => {
      await expect(problems(cls, { ...valid, timezone: null })).resolves.toEqual(['timezone must be a string']);
      await expect(problems(cls, { ...valid, timezone: 1 })).resolves.toEqual(['timezone must be a string']);
      await expect(problems(cls, { ...valid, timezone: '' })).resolves.toEqual([
        'timezone must be longer than or equal to 1 characters',
      ]);
      await expect(problems(cls, { ...valid, timezone: `Europe/${'x'.repeat(58)}` })).resolves.toEqual([
        'timezone must be shorter than or equal to 64 characters',
      ]);
    });

    it('reports the schedule fields in body order', async () => {
      await expect(
        problems(cls, { ...valid, schedule_type: 1, schedule_expression: undefined, timezone: '' }),
      ).resolves.toEqual([
        'schedule_type must be one of: interval, daily, weekly, monthly, cron',
        'schedule_expression must be a string',
        'timezone must be longer than or equal to 1 characters',
      ]);
    });
  });

  describe('in UpdateJobDto', () => {
    it('accepts any one schedule field alone', async () => {
      for (const [field, value] of Object.entries(schedule)) {
        await expect(problems(UpdateJobDto, { [field]: value })).resolves.toEqual([]);
      }
    });

    it('checks a schedule field it is given as create does', async () => {
      await expect(problems(UpdateJobDto, { schedule_expression: '' })).resolves.toEqual([
        'schedule_expression must be longer than or equal to 1 characters',
      ]);
      await expect(problems(UpdateJobDto, { timezone: null })).resolves.toEqual(['timezone must be a string']);
    });
  });

  it('keeps each body’s own field order: create reports name before the schedule fields', async () => {
    await expect(problems(CreateJobDto, { ...jobBody(), name: 'Bad Name', schedule_type: 'hourly' })).resolves.toEqual([
      'name must be a slug of 1–100 characters: lowercase letters, digits, _ . - (starting with a letter or digit)',
      'schedule_type must be one of: interval, daily, weekly, monthly, cron',
    ]);
  });
});
