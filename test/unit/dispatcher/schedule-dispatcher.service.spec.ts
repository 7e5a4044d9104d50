import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import type { Env } from '../../../src/config/config.schema';
import { CHANNEL_JOBS_CHANGED, type PgNotifier } from '../../../src/database/pg-notifier.service';
import { ScheduleDispatcherService } from '../../../src/modules/dispatcher/schedule-dispatcher.service';
import { RUN_EVENTS } from '../../../src/modules/executions/run-events';
import type { DueJob, DueJobsService } from '../../../src/modules/jobs/due-jobs.service';
import type { JobStatsService } from '../../../src/modules/jobs/job-stats.service';
import { SchedulesService } from '../../../src/modules/schedules/schedules.service';
import { FakeDataSource, FakeExecutionsService } from '../support/fakes';

const MINUTE = 60_000;
const TIMER = 'schedule-dispatcher';
const OVERLAP_SKIP_ERROR = 'Skipped: the previous run was still going (overlap_policy skip)';

/**
 * The jobs table as the dispatcher sees it: due = enabled, active and next_run_at <= now (the
 * rows here are all enabled and active), claimed oldest first; `held` rows are locked by
 * another dispatcher (SKIP LOCKED passes them over, but they still count for earliestDue).
 */
class FakeDueJobs implements Pick<DueJobsService, 'earliestDue' | 'lockDue' | 'advance'> {
  readonly rows = new Map<number, Omit<DueJob, 'nextRunAt'> & { nextRunAt: Date | null }>();
  readonly held = new Set<number>();
  readonly locks: { tx: EntityManager; now: Date; limit: number; ids: number[] }[] = [];
  readonly advances: { tx: EntityManager; updates: { id: number; nextRunAt: Date | null }[] }[] = [];
  lockFailure: Error | undefined;

  constructor(private readonly log: string[]) {}

  add(job: Partial<DueJob> & Pick<DueJob, 'id' | 'nextRunAt'>): void {
    this.rows.set(job.id, {
      scheduleType: 'interval',
      scheduleExpression: '10',
      timezone: 'UTC',
      misfirePolicy: 'run_once',
      overlapPolicy: 'allow',
      taskKwargs: { job: job.id },
      taskQueue: 'default',
      taskPriority: 5,
      ...job,
    });
  }

  async earliestDue(): Promise<Date | null> {
    const times = [...this.rows.values()].flatMap((r) => (r.nextRunAt ? [r.nextRunAt.getTime()] : []));
    return times.length === 0 ? null : new Date(Math.min(...times));
  }

  async lockDue(tx: EntityManager, now: Date, limit: number): Promise<DueJob[]> {
    this.log.push('lockDue');
    if (this.lockFailure) {
      const failure = this.lockFailure;
      this.lockFailure = undefined;
      throw failure;
    }
    const due = [...this.rows.values()]
      .filter((r): r is DueJob => r.nextRunAt !== null && r.nextRunAt <= now && !this.held.has(r.id))
      .sort((a, b) => a.nextRunAt.getTime() - b.nextRunAt.getTime())
      .slice(0, limit)
      .map((r) => ({ ...r }));
    this.locks.push({ tx, now, limit, ids: due.map((r) => r.id) });
    return due;
  }

  async advance(tx: EntityManager, updates: { id: number; nextRunAt: Date | null }[]): Promise<void> {
    this.log.push('advance');
    this.advances.push({ tx, updates });
    for (const { id, nextRunAt } of updates) this.rows.get(id)!.nextRunAt = nextRunAt;
  }

  nextRunAt(id: number): Date | null {
    return this.rows.get(id)!.nextRunAt;
  }
}

class FakeJobStats implements Pick<JobStatsService, 'addSkippedRuns'> {
  readonly calls: { tx: EntityManager; jobIds: number[] }[] = [];

  constructor(private readonly log: string[]) {}

  async addSkippedRuns(tx: EntityManager, jobIds: number[]): Promise<void> {
    this.log.push('addSkippedRuns');
    this.calls.push({ tx, jobIds });
  }
}

class FakeNotifier implements Pick<PgNotifier, 'subscribe'> {
  readonly listeners = new Map<string, (payload: string) => void>();

  async subscribe(channel: string, listener: (payload: string) => void): Promise<void> {
    this.listeners.set(channel, listener);
  }
}

describe(ScheduleDispatcherService.name, () => {
  let dataSource: FakeDataSource;
  let due: FakeDueJobs;
  let stats: FakeJobStats;
  let executions: FakeExecutionsService;
  let notifier: FakeNotifier;
  let registry: SchedulerRegistry;
  let skippedEvents: number[][];
  let errors: jest.SpyInstance;
  let dispatcher: ScheduleDispatcherService;
  /** A whole second shortly before the test's dispatch passes; fire times are set relative to it. */
  let base: number;

  const at = (minutes: number, seconds = 0) => new Date(base + minutes * MINUTE + seconds * 1000);

  function start(env: Partial<Env> = {}): ScheduleDispatcherService {
    const events = new EventEmitter2();
    events.on(RUN_EVENTS.skipped, (ids: number[]) => skippedEvents.push(ids));
    dispatcher = new ScheduleDispatcherService(
      AppConfig.from({}, env),
      dataSource.asDataSource(),
      registry,
      due as unknown as DueJobsService,
      stats as unknown as JobStatsService,
      executions.asExecutionsService(),
      new SchedulesService(),
      notifier as unknown as PgNotifier,
      events,
    );
    return dispatcher;
  }

  async function pass(): Promise<void> {
    dispatcher.wake();
    await dispatcher.idle();
  }

  const runsOf = (jobId: number) => executions.runs.filter((r) => r.jobId === jobId);
  const fireTimesOf = (jobId: number) => runsOf(jobId).map((r) => r.scheduledFor);

  beforeEach(() => {
    base = Math.floor(Date.now() / 1000) * 1000;
    dataSource = new FakeDataSource();
    due = new FakeDueJobs(dataSource.log);
    stats = new FakeJobStats(dataSource.log);
    executions = new FakeExecutionsService(dataSource.log);
    notifier = new FakeNotifier();
    registry = new SchedulerRegistry();
    skippedEvents = [];
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await dispatcher?.onModuleDestroy();
    errors.mockRestore();
    jest.useRealTimers();
  });

  describe('one due fire time', () => {
    it('records a queued scheduled run with the job kwargs, advances next_run_at and enqueues after commit', async () => {
      due.add({ id: 1, nextRunAt: at(-3), taskKwargs: { to: 'ops@example.com' }, taskQueue: 'reports' });
      start();

      await pass();

      expect(runsOf(1)).toEqual([
        {
          id: 101,
          tx: dataSource.tx,
          jobId: 1,
          status: 'queued',
          trigger: 'schedule',
          scheduledFor: at(-3),
          kwargs: { to: 'ops@example.com' },
          triggeredBy: 'scheduler',
          error: null,
        },
      ]);
      // Interval schedules stay on their lattice: the next fire time is the due one plus 10 minutes.
      expect(due.nextRunAt(1)).toEqual(at(7));
      expect(due.advances).toEqual([{ tx: dataSource.tx, updates: [{ id: 1, nextRunAt: at(7) }] }]);
      expect(executions.enqueued).toEqual([[{ id: 101, taskQueue: 'reports', taskPriority: 5 }]]);
      expect(dataSource.log).toEqual([
        'begin',
        'lockDue',
        'jobsWithActiveRuns',
        'record',
        'addSkippedRuns',
        'advance',
        'commit',
        'enqueue',
      ]);
    });
  });

  describe('misfire policies (fire times at -35, -25, -15 and -5 minutes are due)', () => {
    beforeEach(() => {
      due.add({ id: 1, nextRunAt: at(-35), misfirePolicy: 'run_once' });
      due.add({ id: 2, nextRunAt: at(-35), misfirePolicy: 'run_all' });
      due.add({ id: 3, nextRunAt: at(-35), misfirePolicy: 'skip' });
    });

    it('run_once collapses the missed fire times into one run for the latest', async () => {
      start();
      await pass();
      expect(fireTimesOf(1)).toEqual([at(-5)]);
      expect(due.nextRunAt(1)).toEqual(at(5));
    });

    it('run_all records every missed fire time, oldest first', async () => {
      start();
      await pass();
      expect(fireTimesOf(2)).toEqual([at(-35), at(-25), at(-15), at(-5)]);
      expect(runsOf(2).map((r) => r.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
      expect(executions.enqueuedRuns.filter((r) => runsOf(2).some((run) => run.id === r.id))).toHaveLength(4);
      expect(due.nextRunAt(2)).toEqual(at(5));
    });

    it('run_all keeps only the most recent MISFIRE_CATCHUP_MAX fire times', async () => {
      start({ MISFIRE_CATCHUP_MAX: 2 });
      await pass();
      expect(fireTimesOf(2)).toEqual([at(-15), at(-5)]);
      expect(due.nextRunAt(2)).toEqual(at(5));
    });

    it('skip records nothing when even the latest fire time is later than the grace, and moves on', async () => {
      start();
      await pass();
      expect(runsOf(3)).toEqual([]);
      expect(due.nextRunAt(3)).toEqual(at(5));
    });

    it('skip runs the latest fire time when the dispatcher reaches it within the grace', async () => {
      due.add({ id: 4, nextRunAt: at(-30, -10), misfirePolicy: 'skip' });
      start();
      await pass();
      expect(fireTimesOf(4)).toEqual([at(0, -10)]);
      expect(runsOf(4)[0].status).toBe('queued');
      expect(due.nextRunAt(4)).toEqual(at(10, -10));
    });
  });

  describe('overlap policies', () => {
    it('skip with a run still active records skipped runs with the reason, counts them, and enqueues none', async () => {
      due.add({ id: 1, nextRunAt: at(-25), overlapPolicy: 'skip', misfirePolicy: 'run_all' });
      executions.active.add(1);
      start();

      await pass();

      expect(runsOf(1)).toEqual([
        expect.objectContaining({ scheduledFor: at(-25), status: 'skipped', error: OVERLAP_SKIP_ERROR }),
        expect.objectContaining({ scheduledFor: at(-15), status: 'skipped', error: OVERLAP_SKIP_ERROR }),
        expect.objectContaining({ scheduledFor: at(-5), status: 'skipped', error: OVERLAP_SKIP_ERROR }),
      ]);
      // One job id per skipped run, in the dispatch transaction.
      expect(stats.calls).toEqual([{ tx: dataSource.tx, jobIds: [1, 1, 1] }]);
      expect(skippedEvents).toEqual([[1, 1, 1]]);
      expect(executions.enqueuedRuns).toEqual([]);
      expect(due.nextRunAt(1)).toEqual(at(5));
    });

    it('asks about active runs only for the jobs whose policy is skip', async () => {
      due.add({ id: 1, nextRunAt: at(-3), overlapPolicy: 'skip' });
      due.add({ id: 2, nextRunAt: at(-2), overlapPolicy: 'allow' });
      due.add({ id: 3, nextRunAt: at(-1), overlapPolicy: 'queue' });
      start();
      await pass();
      expect(executions.activeQueries).toEqual([{ tx: dataSource.tx, jobIds: [1] }]);
    });

    it.each(['allow', 'queue'] as const)(
      '%s with a run still active queues and enqueues the new run',
      async (policy) => {
        due.add({ id: 1, nextRunAt: at(-3), overlapPolicy: policy, taskQueue: 'etl', taskPriority: 9 });
        executions.active.add(1);
        start();

        await pass();

        expect(runsOf(1)).toEqual([expect.objectContaining({ status: 'queued', error: null })]);
        expect(executions.enqueuedRuns).toEqual([{ id: runsOf(1)[0].id, taskQueue: 'etl', taskPriority: 9 }]);
        expect(stats.calls).toEqual([{ tx: dataSource.tx, jobIds: [] }]);
        expect(skippedEvents).toEqual([[]]);
      },
    );

    it('skip with nothing active queues the run', async () => {
      due.add({ id: 1, nextRunAt: at(-3), overlapPolicy: 'skip' });
      executions.active.add(2);
      start();
      await pass();
      expect(runsOf(1)).toEqual([expect.objectContaining({ status: 'queued', error: null })]);
      expect(executions.enqueuedRuns).toHaveLength(1);
    });

    it('enqueues only the queued runs of a mixed batch, each with its own job queue and priority', async () => {
      due.add({ id: 1, nextRunAt: at(-4), overlapPolicy: 'skip', taskQueue: 'reports', taskPriority: 1 });
      due.add({ id: 2, nextRunAt: at(-3), overlapPolicy: 'skip', taskQueue: 'etl', taskPriority: 7 });
      due.add({ id: 3, nextRunAt: at(-2), overlapPolicy: 'allow', taskQueue: 'mail', taskPriority: 10 });
      executions.active.add(1);
      executions.active.add(3);
      start();

      await pass();

      expect(executions.runs.map((r) => [r.jobId, r.status])).toEqual([
        [1, 'skipped'],
        [2, 'queued'],
        [3, 'queued'],
      ]);
      expect(executions.enqueued).toEqual([
        [
          { id: runsOf(2)[0].id, taskQueue: 'etl', taskPriority: 7 },
          { id: runsOf(3)[0].id, taskQueue: 'mail', taskPriority: 10 },
        ],
      ]);
      expect(skippedEvents).toEqual([[1]]);
    });

    it('counts as skipped only the runs actually inserted (a fire time already recorded is not counted again)', async () => {
      due.add({ id: 1, nextRunAt: at(-3), overlapPolicy: 'skip' });
      executions.active.add(1);
      // Another dispatcher already recorded this fire time: ON CONFLICT DO NOTHING inserts nothing.
      await executions.record(dataSource.tx, [
        {
          jobId: 1,
          status: 'skipped',
          trigger: 'schedule',
          scheduledFor: at(-3),
          kwargs: {},
          triggeredBy: 'scheduler',
        },
      ]);
      start();

      await pass();

      expect(runsOf(1)).toHaveLength(1);
      expect(stats.calls).toEqual([{ tx: dataSource.tx, jobIds: [] }]);
      expect(skippedEvents).toEqual([[]]);
      expect(due.nextRunAt(1)).toEqual(at(7));
    });
  });

  it('parks a job whose stored schedule no longer parses, without holding up the rest of its batch', async () => {
    due.add({ id: 1, nextRunAt: at(-9), scheduleType: 'interval', scheduleExpression: '10' });
    due.add({ id: 2, nextRunAt: at(-8), scheduleType: 'daily', scheduleExpression: '25:00' });
    due.add({ id: 3, nextRunAt: at(-7), scheduleType: 'cron', scheduleExpression: '* * * *' });
    due.add({ id: 4, nextRunAt: at(-6), scheduleType: 'daily', scheduleExpression: '09:30', timezone: 'Nowhere/Land' });
    due.add({ id: 5, nextRunAt: at(-5), misfirePolicy: 'run_all', scheduleExpression: '5' });
    start();

    await pass();

    expect(due.advances).toEqual([
      {
        tx: dataSource.tx,
        updates: [
          { id: 1, nextRunAt: at(1) },
          { id: 2, nextRunAt: null },
          { id: 3, nextRunAt: null },
          { id: 4, nextRunAt: null },
          { id: 5, nextRunAt: at(5) },
        ],
      },
    ]);
    expect(executions.runs.map((r) => [r.jobId, r.scheduledFor])).toEqual([
      [1, at(-9)],
      [5, at(-5)],
      [5, at(0)],
    ]);
    expect(executions.enqueuedRuns.map((r) => r.id)).toEqual(executions.runs.map((r) => r.id));
    expect(errors.mock.calls.map(([message]) => message as string)).toEqual([
      expect.stringMatching(/^Job 2: cannot compute its fire times, parking it: /),
      expect.stringMatching(/^Job 3: cannot compute its fire times, parking it: /),
      expect.stringMatching(/^Job 4: cannot compute its fire times, parking it: timezone/),
    ]);
    // A parked job is no longer due: the next pass finds nothing to do.
    await pass();
    expect(executions.runs).toHaveLength(3);
  });

  describe('batches', () => {
    it('claims another batch in the same pass while a batch comes back full', async () => {
      for (let id = 1; id <= 5; id++) due.add({ id, nextRunAt: at(-10 + id) });
      start({ DISPATCH_BATCH_SIZE: 2 });

      await pass();

      expect(due.locks.map((l) => [l.limit, l.ids])).toEqual([
        [2, [1, 2]],
        [2, [3, 4]],
        [2, [5]],
      ]);
      expect(dataSource.transactions).toBe(3);
      expect(executions.enqueued.map((batch) => batch.map((r) => r.id))).toEqual([[101, 102], [103, 104], [105]]);
      for (let id = 1; id <= 5; id++) expect(due.nextRunAt(id)).toEqual(at(id));
    });

    it('stops after a batch smaller than DISPATCH_BATCH_SIZE', async () => {
      for (let id = 1; id <= 3; id++) due.add({ id, nextRunAt: at(-id) });
      start({ DISPATCH_BATCH_SIZE: 4 });
      await pass();
      expect(due.locks.map((l) => l.ids.length)).toEqual([3]);
    });

    it('claims with the configured batch size and the current time', async () => {
      start({ DISPATCH_BATCH_SIZE: 7 });
      const before = Date.now();
      await pass();
      expect(due.locks).toEqual([{ tx: dataSource.tx, now: expect.any(Date), limit: 7, ids: [] }]);
      expect(due.locks[0].now.getTime()).toBeGreaterThanOrEqual(before);
      expect(due.locks[0].now.getTime()).toBeLessThanOrEqual(Date.now());
    });
  });

  describe('wakes and the timer', () => {
    it('subscribes to job changes at bootstrap and dispatches at once and on every notification', async () => {
      due.add({ id: 1, nextRunAt: at(-3) });
      start();

      await dispatcher.onApplicationBootstrap();
      await dispatcher.idle();
      expect(runsOf(1)).toHaveLength(1);

      due.add({ id: 2, nextRunAt: at(-1) });
      notifier.listeners.get(CHANNEL_JOBS_CHANGED)!('2');
      await dispatcher.idle();
      expect(runsOf(2)).toHaveLength(1);
      expect(due.locks).toHaveLength(2);
    });

    it('coalesces wakes that arrive during a pass into one more round', async () => {
      due.add({ id: 1, nextRunAt: at(-3) });
      start();

      dispatcher.wake();
      dispatcher.wake();
      dispatcher.wake();
      await dispatcher.idle();

      expect(due.locks.map((l) => l.ids)).toEqual([[1], []]);
    });

    it('survives a failed pass and arms the timer to try again', async () => {
      due.add({ id: 1, nextRunAt: at(-3) });
      due.lockFailure = new Error('connection reset');
      start();

      await pass();

      expect(errors).toHaveBeenCalledWith(expect.stringContaining('connection reset'));
      expect(registry.doesExist('timeout', TIMER)).toBe(true);
      expect(executions.runs).toEqual([]);
      await pass();
      expect(runsOf(1)).toHaveLength(1);
    });

    it('sleeps until the earliest due next_run_at', async () => {
      jest.useFakeTimers({ now: new Date('2026-03-01T12:00:00Z') });
      base = Date.now();
      due.add({ id: 1, nextRunAt: at(0, 30) });
      start();

      await pass();
      expect(due.locks).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(29_999);
      expect(due.locks).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      await dispatcher.idle();

      expect(due.locks).toHaveLength(2);
      expect(fireTimesOf(1)).toEqual([at(0, 30)]);
    });

    it('sleeps at most DISPATCH_POLL_SECONDS (the safety poll), however far off the next job is', async () => {
      jest.useFakeTimers({ now: new Date('2026-03-01T12:00:00Z') });
      base = Date.now();
      due.add({ id: 1, nextRunAt: at(60) });
      start({ DISPATCH_POLL_SECONDS: 5 });

      await pass();
      for (const locks of [2, 3]) {
        await jest.advanceTimersByTimeAsync(4_999);
        expect(due.locks).toHaveLength(locks - 1);
        await jest.advanceTimersByTimeAsync(1);
        await dispatcher.idle();
        expect(due.locks).toHaveLength(locks);
      }
      expect(executions.runs).toEqual([]);
    });

    it('sleeps for the safety poll when no job is scheduled at all', async () => {
      jest.useFakeTimers({ now: new Date('2026-03-01T12:00:00Z') });
      start({ DISPATCH_POLL_SECONDS: 5 });

      await pass();
      await jest.advanceTimersByTimeAsync(4_999);
      expect(due.locks).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      await dispatcher.idle();
      expect(due.locks).toHaveLength(2);
    });

    it('looks again shortly, without spinning, when the due jobs are held by another dispatcher', async () => {
      jest.useFakeTimers({ now: new Date('2026-03-01T12:00:00Z') });
      base = Date.now();
      due.add({ id: 1, nextRunAt: at(-1) });
      due.held.add(1);
      start();

      await pass();
      await jest.advanceTimersByTimeAsync(49);
      expect(due.locks).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      await dispatcher.idle();
      expect(due.locks).toHaveLength(2);
    });

    it('stops: no timer is left and wakes are ignored', async () => {
      due.add({ id: 1, nextRunAt: at(5) });
      start();
      await pass();
      expect(registry.doesExist('timeout', TIMER)).toBe(true);

      await dispatcher.onModuleDestroy();

      expect(registry.doesExist('timeout', TIMER)).toBe(false);
      due.add({ id: 2, nextRunAt: at(-1) });
      dispatcher.wake();
      await dispatcher.idle();
      expect(due.locks).toHaveLength(1);
      expect(executions.runs).toEqual([]);
    });
  });
});
