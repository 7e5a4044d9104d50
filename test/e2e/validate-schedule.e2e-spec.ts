import { SchedulesController } from '../../src/modules/schedules/schedules.controller';
import { createTestApp, type TestApp } from '../support/test-app';

const PATH = '/api/v1/jobs/validate-schedule';
const FROM = '2026-01-01T00:00:00Z';

describe(SchedulesController.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('validate_schedule');
  });
  afterAll(async () => {
    await t.close();
  });

  const validate = (body: Record<string, unknown>) => t.http.post(PATH).send(body);

  describe('a valid schedule: 200 with next_runs after `from` and a description', () => {
    it.each([
      [
        'interval 30',
        { schedule_type: 'interval', schedule_expression: '30' },
        [
          '2026-01-01T00:30:00.000Z',
          '2026-01-01T01:00:00.000Z',
          '2026-01-01T01:30:00.000Z',
          '2026-01-01T02:00:00.000Z',
          '2026-01-01T02:30:00.000Z',
        ],
        'Every 30 minutes',
      ],
      [
        'daily 09:30',
        { schedule_type: 'daily', schedule_expression: '09:30' },
        [
          '2026-01-01T09:30:00.000Z',
          '2026-01-02T09:30:00.000Z',
          '2026-01-03T09:30:00.000Z',
          '2026-01-04T09:30:00.000Z',
          '2026-01-05T09:30:00.000Z',
        ],
        'At 09:30, every day (UTC)',
      ],
      [
        'weekly 1:10:00 (Tuesday)',
        { schedule_type: 'weekly', schedule_expression: '1:10:00' },
        [
          '2026-01-06T10:00:00.000Z',
          '2026-01-13T10:00:00.000Z',
          '2026-01-20T10:00:00.000Z',
          '2026-01-27T10:00:00.000Z',
          '2026-02-03T10:00:00.000Z',
        ],
        'At 10:00, every Tuesday (UTC)',
      ],
      [
        'monthly 31:08:00 (the last day in February, April)',
        { schedule_type: 'monthly', schedule_expression: '31:08:00' },
        [
          '2026-01-31T08:00:00.000Z',
          '2026-02-28T08:00:00.000Z',
          '2026-03-31T08:00:00.000Z',
          '2026-04-30T08:00:00.000Z',
          '2026-05-31T08:00:00.000Z',
        ],
        "At 08:00, on day 31 of every month, or on the month's last day in shorter months (UTC)",
      ],
      [
        'cron 0 2 * * 1',
        { schedule_type: 'cron', schedule_expression: '0 2 * * 1' },
        [
          '2026-01-05T02:00:00.000Z',
          '2026-01-12T02:00:00.000Z',
          '2026-01-19T02:00:00.000Z',
          '2026-01-26T02:00:00.000Z',
          '2026-02-02T02:00:00.000Z',
        ],
        'At 02:00, only on Monday (UTC)',
      ],
      [
        'cron with seconds first (6 fields)',
        { schedule_type: 'cron', schedule_expression: '30 */15 * * * *' },
        [
          '2026-01-01T00:00:30.000Z',
          '2026-01-01T00:15:30.000Z',
          '2026-01-01T00:30:30.000Z',
          '2026-01-01T00:45:30.000Z',
          '2026-01-01T01:00:30.000Z',
        ],
        'At 30 seconds past the minute, every 15 minutes (UTC)',
      ],
      [
        'cron macro @weekly',
        { schedule_type: 'cron', schedule_expression: '@weekly' },
        [
          '2026-01-04T00:00:00.000Z',
          '2026-01-11T00:00:00.000Z',
          '2026-01-18T00:00:00.000Z',
          '2026-01-25T00:00:00.000Z',
          '2026-02-01T00:00:00.000Z',
        ],
        'At 00:00, only on Sunday (UTC)',
      ],
    ])('%s', async (_name, schedule, next_runs, description) => {
      const res = await validate({ ...schedule, timezone: 'UTC', from: FROM }).expect(200);
      expect(res.body).toEqual({ valid: true, next_runs, description });
    });

    it('fires monthly day 31 on February 29 in a leap year, honouring count', async () => {
      const res = await validate({
        schedule_type: 'monthly',
        schedule_expression: '31:08:00',
        from: '2028-01-15T00:00:00Z',
        count: 3,
      }).expect(200);
      expect(res.body.next_runs).toEqual([
        '2028-01-31T08:00:00.000Z',
        '2028-02-29T08:00:00.000Z',
        '2028-03-31T08:00:00.000Z',
      ]);
    });

    it('keeps daily 14:30 in America/New_York at 14:30 local across the November fall-back', async () => {
      const res = await validate({
        schedule_type: 'daily',
        schedule_expression: '14:30',
        timezone: 'America/New_York',
        from: '2026-10-30T00:00:00Z',
      }).expect(200);
      expect(res.body).toEqual({
        valid: true,
        // EDT (UTC−4) until Sunday 1 November 2026 02:00, then EST (UTC−5).
        next_runs: [
          '2026-10-30T18:30:00.000Z',
          '2026-10-31T18:30:00.000Z',
          '2026-11-01T19:30:00.000Z',
          '2026-11-02T19:30:00.000Z',
          '2026-11-03T19:30:00.000Z',
        ],
        description: 'At 14:30, every day (America/New_York)',
      });
    });

    it('fires a nonexistent local time at the end of the gap and an ambiguous one once', async () => {
      const spring = await validate({
        schedule_type: 'daily',
        schedule_expression: '02:30',
        timezone: 'America/New_York',
        from: '2026-03-07T12:00:00Z',
        count: 2,
      }).expect(200);
      expect(spring.body.next_runs).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
      const fall = await validate({
        schedule_type: 'daily',
        schedule_expression: '01:30',
        timezone: 'America/New_York',
        from: '2026-10-31T12:00:00Z',
        count: 2,
      }).expect(200);
      expect(fall.body.next_runs).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    });

    it('answers the seed example with 5 next runs after now', async () => {
      const before = Date.now();
      const res = await t.http
        .post(PATH)
        .send({ schedule_type: 'daily', schedule_expression: '09:30', timezone: 'UTC' })
        .expect(200);
      expect(res.body).toEqual({ valid: true, next_runs: expect.any(Array), description: 'At 09:30, every day (UTC)' });
      const runs = (res.body.next_runs as string[]).map((run) => new Date(run));
      expect(runs).toHaveLength(5);
      expect(runs[0].getTime()).toBeGreaterThan(before);
      expect(runs[0].getTime() - before).toBeLessThanOrEqual(24 * 3600 * 1000);
      runs.forEach((run, i) => {
        expect(run.toISOString()).toMatch(/T09:30:00\.000Z$/);
        if (i > 0) expect(run.getTime() - runs[i - 1].getTime()).toBe(24 * 3600 * 1000);
      });
    });

    it('accepts count 1 and 50, and `from` with an offset', async () => {
      const one = await validate({
        schedule_type: 'interval',
        schedule_expression: '1',
        from: '2026-01-01T01:00:00+01:00',
        count: 1,
      }).expect(200);
      expect(one.body.next_runs).toEqual(['2026-01-01T00:01:00.000Z']);
      const fifty = await validate({
        schedule_type: 'interval',
        schedule_expression: '1',
        from: FROM,
        count: 50,
      }).expect(200);
      expect(fifty.body.next_runs).toHaveLength(50);
      expect(fifty.body.next_runs[49]).toBe('2026-01-01T00:50:00.000Z');
    });
  });

  describe('a schedule that cannot be used: 200 with valid: false and an error that teaches', () => {
    it.each([
      [
        'daily 25:00',
        { schedule_type: 'daily', schedule_expression: '25:00' },
        [/^schedule_expression: /, /the hour 25 is out of range/, /HH:MM \(00:00–23:59\)/],
      ],
      [
        'a 4-field cron',
        { schedule_type: 'cron', schedule_expression: '* * * *' },
        [/found 4 fields/, /expected 5 \(or 6 with seconds first\)/],
      ],
      [
        'a cron that never fires',
        { schedule_type: 'cron', schedule_expression: '0 0 31 2 *' },
        [/"0 0 31 2 \*" never fires/, /expected a cron expression/],
      ],
      [
        'an unknown time zone',
        { schedule_type: 'daily', schedule_expression: '09:30', timezone: 'Mars/Olympus' },
        [/^timezone: /, /"Mars\/Olympus" is not a known IANA time zone/, /America\/New_York/],
      ],
      [
        'interval 0',
        { schedule_type: 'interval', schedule_expression: '0' },
        [/interval 0 is out of range/, /from 1 to 525600/],
      ],
      [
        'interval 525601',
        { schedule_type: 'interval', schedule_expression: '525601' },
        [/interval 525601 is out of range/, /from 1 to 525600/],
      ],
      [
        'weekly day 7',
        { schedule_type: 'weekly', schedule_expression: '7:10:00' },
        [/day 7 is out of range \(0–6\)/, /0 = Monday … 6 = Sunday/],
      ],
      [
        'monthly day 32',
        { schedule_type: 'monthly', schedule_expression: '32:08:00' },
        [/day 32 is out of range \(1–31\)/, /D:HH:MM/],
      ],
      [
        'a cron hour of 25',
        { schedule_type: 'cron', schedule_expression: '0 25 * * *' },
        [/the hour field "25" is out of range \(0–23\)/],
      ],
      [
        'an unknown macro',
        { schedule_type: 'cron', schedule_expression: '@often' },
        [/unknown macro "@often"/, /@daily/],
      ],
    ])('%s', async (_name, schedule, patterns) => {
      const res = await validate({ ...schedule, from: FROM }).expect(200);
      expect(res.body).toEqual({ valid: false, error: expect.any(String) });
      for (const pattern of patterns) expect(res.body.error).toMatch(pattern);
    });
  });

  describe('a malformed request: 400 naming the field', () => {
    const base = { schedule_type: 'daily', schedule_expression: '09:30' };
    it.each([
      [
        'missing schedule_type',
        { schedule_expression: '09:30' },
        /schedule_type must be one of: interval, daily, weekly, monthly, cron/,
      ],
      ['unknown schedule_type', { ...base, schedule_type: 'hourly' }, /schedule_type must be one of/],
      ['missing schedule_expression', { schedule_type: 'daily' }, /schedule_expression must be a string/],
      [
        'schedule_expression as a number',
        { ...base, schedule_expression: 930 },
        /schedule_expression must be a string/,
      ],
      [
        'empty schedule_expression',
        { ...base, schedule_expression: '' },
        /schedule_expression must be longer than or equal to 1 characters/,
      ],
      ['timezone as a number', { ...base, timezone: 5 }, /timezone must be a string/],
      ['timezone null', { ...base, timezone: null }, /timezone must be a string/],
      ['count 0', { ...base, count: 0 }, /count must not be less than 1/],
      ['count 51', { ...base, count: 51 }, /count must not be greater than 50/],
      ['count 2.5', { ...base, count: 2.5 }, /count must be an integer number/],
      ['count as a string', { ...base, count: '5' }, /count must be an integer number/],
      ['from that is not a date', { ...base, from: 'tomorrow' }, /from must be an ISO 8601 date-time with an offset/],
      ['from as a date only', { ...base, from: '2026-01-01' }, /from must be an ISO 8601 date-time/],
      [
        'from without an offset',
        { ...base, from: '2026-01-01T00:00:00' },
        /from must be an ISO 8601 date-time with an offset/,
      ],
      ['from on February 30', { ...base, from: '2026-02-30T00:00:00Z' }, /from must be an ISO 8601 date-time/],
      ['from as a number', { ...base, from: 1767225600000 }, /from must be an ISO 8601 date-time/],
      ['an unknown field', { ...base, owner: 'me' }, /property owner should not exist/],
    ])('%s', async (_name, body, message) => {
      const res = await validate(body).expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: expect.anything(),
        details: expect.any(Array),
      });
      const messages: string[] = Array.isArray(res.body.message) ? res.body.message : [res.body.message];
      expect(messages.some((m) => message.test(m))).toBe(true);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const res = await t.http.post(PATH).set('Content-Type', 'application/json').send('{"schedule_type":').expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: expect.any(Array),
      });
    });
  });

  it('is documented in the OpenAPI document', async () => {
    const res = await t.http.get('/docs-json').expect(200);
    const operation = res.body.paths[PATH].post;
    expect(operation.tags).toEqual(['jobs']);
    expect(operation.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ValidateScheduleDto',
    });
    expect(operation.responses['200'].content['application/json'].schema.oneOf).toEqual([
      { $ref: '#/components/schemas/ValidScheduleResponseDto' },
      { $ref: '#/components/schemas/InvalidScheduleResponseDto' },
    ]);
    expect(operation.responses['400'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorResponseDto',
    });
    const schemas = res.body.components.schemas;
    expect(Object.keys(schemas.ValidateScheduleDto.properties).sort()).toEqual([
      'count',
      'from',
      'schedule_expression',
      'schedule_type',
      'timezone',
    ]);
    expect(schemas.ValidateScheduleDto.properties.count).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 50,
      default: 5,
    });
    expect(schemas.ValidateScheduleDto.required).toEqual(['schedule_type', 'schedule_expression']);
    expect(schemas.InvalidScheduleResponseDto.required).toEqual(['valid', 'error']);
  });
});
