import { clampFireTimes, jitterOffsetMs, remainingRuns, withinLimits } from '../../../src/modules/jobs/job-window';
import { FakeAuditService, FakeDataSource, FakeJobsRepository, makeJob, realJobsService } from '../support/fakes';

const t = (iso: string) => new Date(`2027-01-01T${iso}Z`);
const open = { startAt: null, endAt: null, maxRuns: null, scheduledRuns: 0 };

describe('job limits: active window, max_runs, jitter', () => {
  it('counts the runs left, null when unlimited', () => {
    expect(remainingRuns({ maxRuns: null, scheduledRuns: 7 })).toBeNull();
    expect(remainingRuns({ maxRuns: 3, scheduledRuns: 1 })).toBe(2);
    expect(remainingRuns({ maxRuns: 3, scheduledRuns: 5 })).toBe(0);
  });

  it('keeps a next fire time only inside the window and while runs are left', () => {
    expect(withinLimits(t('10:00:00'), open)).toEqual(t('10:00:00'));
    expect(withinLimits(t('10:00:00'), { ...open, endAt: t('10:00:00') })).toBeNull();
    expect(withinLimits(t('09:59:59'), { ...open, endAt: t('10:00:00') })).toEqual(t('09:59:59'));
    expect(withinLimits(t('10:00:00'), { ...open, maxRuns: 2, scheduledRuns: 2 })).toBeNull();
    expect(withinLimits(null, open)).toBeNull();
  });

  it('cuts a pass to the window and the runs left; nothing left to fire means no next fire time', () => {
    const times = ['10:00:00', '10:00:01', '10:00:02', '10:00:03'].map(t);
    expect(clampFireTimes(times, t('10:00:04'), { ...open, endAt: t('10:00:02') })).toEqual({
      fireTimes: [t('10:00:00'), t('10:00:01')],
      nextRunAt: null,
    });
    expect(clampFireTimes(times, t('10:00:04'), { ...open, startAt: t('10:00:01') }).fireTimes).toEqual(times.slice(1));
    expect(clampFireTimes(times, t('10:00:04'), { ...open, maxRuns: 5, scheduledRuns: 2 })).toEqual({
      fireTimes: times.slice(0, 3),
      nextRunAt: null,
    });
    expect(clampFireTimes(times, t('10:00:04'), { ...open, maxRuns: 10, scheduledRuns: 2 })).toEqual({
      fireTimes: times,
      nextRunAt: t('10:00:04'),
    });
  });

  it('derives the jitter offset from the job and the fire time only: the same everywhere, within [0, jitter)', () => {
    expect(jitterOffsetMs(7, t('10:00:00'), 0)).toBe(0);
    const offsets = Array.from({ length: 500 }, (_, i) => jitterOffsetMs(i, t('10:00:00'), 30));
    expect(offsets.every((ms) => Number.isInteger(ms) && ms >= 0 && ms < 30_000)).toBe(true);
    // Spread over the range, not bunched (500 draws in 30 s: every 10 s third gets some).
    for (const third of [0, 1, 2])
      expect(offsets.filter((ms) => Math.floor(ms / 10_000) === third).length).toBeGreaterThan(100);
    expect(jitterOffsetMs(7, t('10:00:00'), 30)).toBe(jitterOffsetMs(7, new Date(t('10:00:00').getTime()), 30));
    expect(jitterOffsetMs(7, t('10:00:00'), 30)).not.toBe(jitterOffsetMs(7, t('10:00:01'), 30));
  });
});

describe('JobsService.computeNextRun with limits', () => {
  const service = realJobsService(new FakeDataSource(), new FakeJobsRepository(), new FakeAuditService());

  it('fires a cron job first at or after start_at, never at or after end_at', () => {
    const job = makeJob({ scheduleType: 'cron', scheduleExpression: '0 * * * *', startAt: t('12:00:00') });
    expect(service.computeNextRun(job, t('09:30:00'))).toEqual(t('12:00:00'));
    expect(service.computeNextRun({ ...job, startAt: t('12:00:01') }, t('09:30:00'))).toEqual(t('13:00:00'));
    expect(service.computeNextRun({ ...job, endAt: t('12:00:00') }, t('09:30:00'))).toBeNull();
    expect(service.computeNextRun({ ...job, startAt: null }, t('09:30:00'))).toEqual(t('10:00:00'));
  });

  it('starts an interval job at start_at and keeps it on the lattice from there', () => {
    const job = makeJob({ scheduleType: 'interval', scheduleExpression: '15', startAt: t('12:00:00') });
    expect(service.computeNextRun(job, t('09:31:10'))).toEqual(t('12:00:00'));
    expect(service.computeNextRun(job, t('12:20:00'))).toEqual(t('12:30:00'));
  });

  it('has no next fire time once max_runs scheduled runs are recorded', () => {
    const job = makeJob({ scheduleType: 'cron', scheduleExpression: '0 * * * *', maxRuns: 3, scheduledRuns: 2 });
    expect(service.computeNextRun(job, t('09:30:00'))).toEqual(t('10:00:00'));
    expect(service.computeNextRun({ ...job, scheduledRuns: 3 }, t('09:30:00'))).toBeNull();
  });
});
