import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import type { Env } from '../../../src/config/config.schema';
import { CHANNEL_JOBS_CHANGED, type PgNotifier } from '../../../src/database/pg-notifier.service';
import { ScheduleDispatcherService } from '../../../src/modules/dispatcher/schedule-dispatcher.service';
import { RUN_EVENTS, SKIPPED_RUN_ERROR, type RunSkippedEvent } from '../../../src/modules/executions/run-events';
import type { DueJob, DueJobsService } from '../../../src/modules/jobs/due-jobs.service';
import type { JobStatsService } from '../../../src/modules/jobs/job-stats.service';
import { SchedulesService } from '../../../src/modules/schedules/schedules.service';
import { FakeDataSource, FakeExecutionsService } from '../support/fakes';

const MINUTE = 60_000;
const TIMER = 'schedule-dispatcher';
/** The fake clock's start: every test runs on jest's fake timers from this whole second. */
const START = new Date('2026-03-01T12:00:00Z');
/** A cron schedule with a seconds field that fires every second. */
const EVERY_SECOND = { scheduleType: 'cron', scheduleExpression: '* * * * * *' } as const;

/**
 * The jobs table as the dispatcher sees it: due = enabled, active and next_run_at <= the horizon
 * (the rows here are all enabled and active), claimed oldest first; `held` rows are locked by
 * another dispatcher (SKIP LOCKED passes them over, but they still count for earliestDue).
 */
class FakeDueJobs implements Pick<DueJobsService, 'earliestDue' | 'lockDue' | 'advance' | 'rewind'> {
  readonly rows = new Map<number, Omit<DueJob, 'nextRunAt'> & { nextRunAt: Date | null }>();
  readonly held = new Set<number>();
  readonly locks: { tx: EntityManager; horizon: Date; limit: number; ids: number[] }[] = [];
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
      jobType: 'custom',
      taskKwargs: { job: job.id },
      taskQueue: 'default',
      taskPriority: 5,
      startAt: null,
      endAt: null,
      maxRuns: null,
      scheduledRuns: 0,
      jitterSeconds: 0,
      ...job,
    });
  }

  async earliestDue(): Promise<Date | null> {
    const times = [...this.rows.values()].flatMap((r) => (r.nextRunAt ? [r.nextRunAt.getTime()] : []));
    return times.length === 0 ? null : new Date(Math.min(...times));
  }

  async lockDue(tx: EntityManager, horizon: Date, limit: number): Promise<DueJob[]> {
    this.log.push('lockDue');
    if (this.lockFailure) {
      const failure = this.lockFailure;
      this.lockFailure = undefined;
      throw failure;
    }
    const due = [...this.rows.values()]
      .filter((r): r is DueJob => r.nextRunAt !== null && r.nextRunAt <= horizon && !this.held.has(r.id))
      .sort((a, b) => a.nextRunAt.getTime() - b.nextRunAt.getTime())
      .slice(0, limit)
      .map((r) => ({ ...r }));
    this.locks.push({ tx, horizon, limit, ids: due.map((r) => r.id) });
    return due;
  }

  async advance(tx: EntityManager, updates: { id: number; nextRunAt: Date | null }[]): Promise<void> {
    this.log.push('advance');
    this.advances.push({ tx, updates });
    for (const { id, nextRunAt } of updates) this.rows.get(id)!.nextRunAt = nextRunAt;
  }

  async rewind(tx: EntityManager, fireTimes: { id: number; at: Date }[]): Promise<void> {
    this.log.push('rewind');
    for (const { id, at } of fireTimes) {
      const row = this.rows.get(id)!;
      if (row.nextRunAt && row.nextRunAt > at) row.nextRunAt = at;
    }
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

/** What one enqueue call put on the queues, as ExecutionsService.enqueue reads it. */
type Sent = { id: number; taskQueue: string; taskPriority: number; notBefore: Date | null };

describe(ScheduleDispatcherService.name, () => {
  let dataSource: FakeDataSource;
  let due: FakeDueJobs;
  let stats: FakeJobStats;
  let skippedEvents: number[][];
  let executions: FakeExecutionsService;
  let notifier: FakeNotifier;
  let registry: SchedulerRegistry;
  let errors: jest.SpyInstance;
  let dispatcher: ScheduleDispatcherService | undefined;
  const base = START.getTime();

  const at = (minutes: number, seconds = 0) => new Date(base + minutes * MINUTE + seconds * 1000);
  /** `ms` milliseconds after the start of the fake clock. */
  const ms = (offset: number) => new Date(base + offset);

  /** Every test states its DISPATCH_LOOKAHEAD_MS (the default is not what is tested here). */
  function start(env: Partial<Env> & Pick<Env, 'DISPATCH_LOOKAHEAD_MS'>): ScheduleDispatcherService {
    const events = new EventEmitter2();
    events.on(RUN_EVENTS.skipped, (runs: RunSkippedEvent[]) => skippedEvents.push(runs.map((r) => r.jobId)));
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
    dispatcher!.wake();
    await dispatcher!.idle();
  }

  /** Moves the fake clock on (firing the timers due meanwhile) and lets a pass they started finish. */
  async function advance(milliseconds: number): Promise<void> {
    await jest.advanceTimersByTimeAsync(milliseconds);
    await dispatcher!.idle();
  }

  const runsOf = (jobId: number) => executions.runs.filter((r) => r.jobId === jobId);
  const fireTimesOf = (jobId: number) => runsOf(jobId).map((r) => r.scheduledFor);
  const sent = (runs: FakeExecutionsService['enqueued'][number]): Sent[] =>
    runs.map((r) => ({
      id: r.id,
      taskQueue: r.taskQueue,
      taskPriority: r.taskPriority,
      notBefore: r.notBefore ?? null,
    }));
  /** The enqueue calls that sent something: when (ms after START) and what. */
  const releases = () =>
    executions.enqueued.flatMap((runs, i) =>
      runs.length === 0 ? [] : [{ at: executions.enqueueTimes[i] - base, runs: sent(runs) }],
    );
  const releasedIds = () => releases().flatMap((r) => r.runs.map((run) => run.id));
  const run = (id: number, taskQueue = 'default', taskPriority = 5, notBefore: Date | null = null): Sent => ({
    id,
    taskQueue,
    taskPriority,
    notBefore,
  });

  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    dataSource = new FakeDataSource();
    due = new FakeDueJobs(dataSource.log);
    stats = new FakeJobStats(dataSource.log);
    skippedEvents = [];
    executions = new FakeExecutionsService(dataSource.log);
    notifier = new FakeNotifier();
    registry = new SchedulerRegistry();
    dispatcher = undefined;
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
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

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
          // Already due: nothing holds it back.
          notBefore: null,
          error: null,
        },
      ]);
      // Interval schedules stay on their lattice: the next fire time is the due one plus 10 minutes.
      expect(due.nextRunAt(1)).toEqual(at(7));
      expect(due.advances).toEqual([{ tx: dataSource.tx, updates: [{ id: 1, nextRunAt: at(7), recorded: 1 }] }]);
      expect(releases()).toEqual([{ at: 0, runs: [run(101, 'reports')] }]);
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
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });
      await pass();
      expect(fireTimesOf(1)).toEqual([at(-5)]);
      expect(due.nextRunAt(1)).toEqual(at(5));
    });

    it('run_all records every missed fire time, oldest first, and enqueues them all at once', async () => {
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });
      await pass();
      expect(fireTimesOf(2)).toEqual([at(-35), at(-25), at(-15), at(-5)]);
      expect(runsOf(2).map((r) => [r.status, r.notBefore])).toEqual([
        ['queued', null],
        ['queued', null],
        ['queued', null],
        ['queued', null],
      ]);
      const ids = new Set(runsOf(2).map((r) => r.id));
      expect(releases().map((r) => [r.at, r.runs.filter((x) => ids.has(x.id)).length])).toEqual([[0, 4]]);
      expect(due.nextRunAt(2)).toEqual(at(5));
    });

    it('run_all keeps only the most recent MISFIRE_CATCHUP_MAX fire times', async () => {
      start({ DISPATCH_LOOKAHEAD_MS: 2000, MISFIRE_CATCHUP_MAX: 2 });
      await pass();
      expect(fireTimesOf(2)).toEqual([at(-15), at(-5)]);
      expect(due.nextRunAt(2)).toEqual(at(5));
    });

    it('skip records nothing when even the latest fire time is later than the grace, and moves on', async () => {
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });
      await pass();
      expect(runsOf(3)).toEqual([]);
      expect(due.nextRunAt(3)).toEqual(at(5));
    });

    it('skip runs the latest fire time when the dispatcher reaches it within the grace', async () => {
      due.add({ id: 4, nextRunAt: at(-30, -10), misfirePolicy: 'skip' });
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });
      await pass();
      expect(fireTimesOf(4)).toEqual([at(0, -10)]);
      expect(runsOf(4)[0].status).toBe('queued');
      expect(due.nextRunAt(4)).toEqual(at(10, -10));
    });
  });

  describe('overlap policies (skip decided here for fire times already due, by the worker for those claimed ahead)', () => {
    it('skip with a run going records the due fire times skipped with the reason, counts them, and enqueues none', async () => {
      due.add({ id: 1, nextRunAt: at(-25), overlapPolicy: 'skip', misfirePolicy: 'run_all' });
      executions.active.add(1);
      start({ DISPATCH_LOOKAHEAD_MS: 0 });

      await pass();

      expect(runsOf(1)).toEqual([
        expect.objectContaining({ scheduledFor: at(-25), status: 'skipped', error: SKIPPED_RUN_ERROR }),
        expect.objectContaining({ scheduledFor: at(-15), status: 'skipped', error: SKIPPED_RUN_ERROR }),
        expect.objectContaining({ scheduledFor: at(-5), status: 'skipped', error: SKIPPED_RUN_ERROR }),
      ]);
      // One job id per skipped run, in the dispatch transaction.
      expect(stats.calls).toEqual([{ tx: dataSource.tx, jobIds: [1, 1, 1] }]);
      expect(skippedEvents).toEqual([[1, 1, 1]]);
      expect(releases()).toEqual([]);
      expect(due.nextRunAt(1)).toEqual(at(5));
    });

    it('asks about runs going only for the jobs whose policy is skip', async () => {
      due.add({ id: 1, nextRunAt: at(-3), overlapPolicy: 'skip' });
      due.add({ id: 2, nextRunAt: at(-2), overlapPolicy: 'allow' });
      due.add({ id: 3, nextRunAt: at(-1), overlapPolicy: 'queue' });
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });
      await pass();
      expect(executions.activeQueries).toEqual([{ tx: dataSource.tx, jobIds: [1] }]);
    });

    it.each(['allow', 'queue'] as const)('%s with a run going queues and enqueues the new run', async (policy) => {
      due.add({ id: 1, nextRunAt: at(-3), overlapPolicy: policy, taskQueue: 'etl', taskPriority: 9 });
      executions.active.add(1);
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

      await pass();

      expect(runsOf(1)).toEqual([expect.objectContaining({ status: 'queued', scheduledFor: at(-3), error: null })]);
      expect(releases()).toEqual([{ at: 0, runs: [run(101, 'etl', 9)] }]);
      expect(stats.calls).toEqual([{ tx: dataSource.tx, jobIds: [] }]);
      expect(skippedEvents).toEqual([]);
    });

    it('skip with nothing going queues the run', async () => {
      due.add({ id: 1, nextRunAt: at(-3), overlapPolicy: 'skip' });
      executions.active.add(2);
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });
      await pass();
      expect(runsOf(1)).toEqual([expect.objectContaining({ status: 'queued', error: null })]);
      expect(releasedIds()).toEqual([101]);
    });

    it('skip with a run going: the due fire time is skipped now, those claimed ahead are checked again at their fire time', async () => {
      due.add({ id: 1, ...EVERY_SECOND, nextRunAt: ms(0), overlapPolicy: 'skip' });
      due.add({ id: 2, ...EVERY_SECOND, nextRunAt: ms(0), overlapPolicy: 'allow' });
      executions.active.add(1);
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

      await pass();

      expect(runsOf(1).map((r) => [r.scheduledFor, r.status, r.notBefore ?? null])).toEqual([
        [ms(0), 'skipped', null],
        [ms(1000), 'queued', ms(1000)],
        [ms(2000), 'queued', ms(2000)],
      ]);
      expect(skippedEvents).toEqual([[1]]);
      expect(executions.overlapChecks).toEqual([]);

      // At 1 s the previous run still goes: the check skips job 1's run; job 2's is released unchecked.
      await advance(1000);
      expect(executions.overlapChecks).toEqual([[runsOf(1)[1].id]]);
      expect(runsOf(1)[1].status).toBe('skipped');
      // At 2 s it has ended: job 1's run passes the check and is released with job 2's.
      executions.active.delete(1);
      await advance(1000);
      expect(executions.overlapChecks).toEqual([[runsOf(1)[1].id], [runsOf(1)[2].id]]);
      expect(releasedIds()).toEqual([runsOf(2)[0].id, runsOf(2)[1].id, runsOf(2)[2].id, runsOf(1)[2].id]);
    });

    it('enqueues only the queued runs of a mixed batch, each with its own job queue and priority', async () => {
      due.add({ id: 1, nextRunAt: at(-4), overlapPolicy: 'skip', taskQueue: 'reports', taskPriority: 1 });
      due.add({ id: 2, nextRunAt: at(-3), overlapPolicy: 'skip', taskQueue: 'etl', taskPriority: 7 });
      due.add({ id: 3, nextRunAt: at(-2), overlapPolicy: 'allow', taskQueue: 'mail', taskPriority: 10 });
      executions.active.add(1);
      executions.active.add(3);
      start({ DISPATCH_LOOKAHEAD_MS: 0 });

      await pass();

      expect(executions.runs.map((r) => [r.jobId, r.status])).toEqual([
        [1, 'skipped'],
        [2, 'queued'],
        [3, 'queued'],
      ]);
      expect(releases()).toEqual([{ at: 0, runs: [run(runsOf(2)[0].id, 'etl', 7), run(runsOf(3)[0].id, 'mail', 10)] }]);
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
      start({ DISPATCH_LOOKAHEAD_MS: 0 });

      await pass();

      expect(runsOf(1)).toHaveLength(1);
      expect(stats.calls).toEqual([{ tx: dataSource.tx, jobIds: [] }]);
      expect(skippedEvents).toEqual([]);
      expect(due.nextRunAt(1)).toEqual(at(7));
    });
  });

  it('parks a job whose stored schedule no longer parses, without holding up the rest of its batch', async () => {
    due.add({ id: 1, nextRunAt: at(-9), scheduleType: 'interval', scheduleExpression: '10' });
    due.add({ id: 2, nextRunAt: at(-8), scheduleType: 'daily', scheduleExpression: '25:00' });
    due.add({ id: 3, nextRunAt: at(-7), scheduleType: 'cron', scheduleExpression: '* * * *' });
    due.add({ id: 4, nextRunAt: at(-6), scheduleType: 'daily', scheduleExpression: '09:30', timezone: 'Nowhere/Land' });
    due.add({ id: 5, nextRunAt: at(-5), misfirePolicy: 'run_all', scheduleExpression: '5' });
    start({ DISPATCH_LOOKAHEAD_MS: 2000 });

    await pass();

    expect(due.advances).toEqual([
      {
        tx: dataSource.tx,
        updates: [
          { id: 1, nextRunAt: at(1), recorded: 1 },
          { id: 2, nextRunAt: null, recorded: 0 },
          { id: 3, nextRunAt: null, recorded: 0 },
          { id: 4, nextRunAt: null, recorded: 0 },
          { id: 5, nextRunAt: at(5), recorded: 2 },
        ],
      },
    ]);
    expect(executions.runs.map((r) => [r.jobId, r.scheduledFor])).toEqual([
      [1, at(-9)],
      [5, at(-5)],
      [5, at(0)],
    ]);
    expect(releasedIds()).toEqual(executions.runs.map((r) => r.id));
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
      start({ DISPATCH_LOOKAHEAD_MS: 2000, DISPATCH_BATCH_SIZE: 2 });

      await pass();

      expect(due.locks.map((l) => [l.limit, l.ids])).toEqual([
        [2, [1, 2]],
        [2, [3, 4]],
        [2, [5]],
      ]);
      expect(dataSource.transactions).toBe(3);
      expect(releases().map((r) => r.runs.map((x) => x.id))).toEqual([[101, 102], [103, 104], [105]]);
      for (let id = 1; id <= 5; id++) expect(due.nextRunAt(id)).toEqual(at(id));
    });

    it('stops after a batch smaller than DISPATCH_BATCH_SIZE', async () => {
      for (let id = 1; id <= 3; id++) due.add({ id, nextRunAt: at(-id) });
      start({ DISPATCH_LOOKAHEAD_MS: 2000, DISPATCH_BATCH_SIZE: 4 });
      await pass();
      expect(due.locks.map((l) => l.ids.length)).toEqual([3]);
    });

    it('claims with the configured batch size, up to now + DISPATCH_LOOKAHEAD_MS', async () => {
      start({ DISPATCH_LOOKAHEAD_MS: 1500, DISPATCH_BATCH_SIZE: 7 });
      await pass();
      expect(due.locks).toEqual([{ tx: dataSource.tx, horizon: ms(1500), limit: 7, ids: [] }]);
    });
  });

  describe('claiming ahead (DISPATCH_LOOKAHEAD_MS)', () => {
    it('records every fire time up to the horizon now, the future ones with notBefore = their fire time', async () => {
      due.add({ id: 1, ...EVERY_SECOND, nextRunAt: ms(0), taskKwargs: { region: 'eu' } });
      start({ DISPATCH_LOOKAHEAD_MS: 3000 });

      await pass();

      expect(runsOf(1).map((r) => [r.scheduledFor, r.notBefore, r.status, r.kwargs])).toEqual([
        [ms(0), null, 'queued', { region: 'eu' }],
        [ms(1000), ms(1000), 'queued', { region: 'eu' }],
        [ms(2000), ms(2000), 'queued', { region: 'eu' }],
        [ms(3000), ms(3000), 'queued', { region: 'eu' }],
      ]);
      // One transaction for the lot; next_run_at is the first fire time past the horizon.
      expect(dataSource.transactions).toBe(1);
      expect(due.advances).toEqual([{ tx: dataSource.tx, updates: [{ id: 1, nextRunAt: ms(4000), recorded: 4 }] }]);
      // Only the due one is on its queue yet.
      expect(releases()).toEqual([{ at: 0, runs: [run(101)] }]);
    });

    it('claims a job whose next_run_at is still in the future but within the lookahead', async () => {
      due.add({ id: 1, ...EVERY_SECOND, nextRunAt: ms(1000) });
      due.add({ id: 2, ...EVERY_SECOND, nextRunAt: ms(2500) });
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

      await pass();

      expect(due.locks.map((l) => l.ids)).toEqual([[1]]);
      expect(runsOf(1).map((r) => [r.scheduledFor, r.notBefore])).toEqual([
        [ms(1000), ms(1000)],
        [ms(2000), ms(2000)],
      ]);
      expect(due.nextRunAt(1)).toEqual(ms(3000));
      expect(runsOf(2)).toEqual([]);
      expect(releasedIds()).toEqual([]);
    });

    it('keeps an interval job on its lattice when it claims its next fire time ahead', async () => {
      due.add({ id: 1, scheduleType: 'interval', scheduleExpression: '1', nextRunAt: ms(-30_000) });
      start({ DISPATCH_LOOKAHEAD_MS: 45_000 });

      await pass();

      expect(runsOf(1).map((r) => [r.scheduledFor, r.notBefore])).toEqual([
        [ms(-30_000), null],
        [ms(30_000), ms(30_000)],
      ]);
      expect(due.nextRunAt(1)).toEqual(ms(90_000));
    });

    it('enqueues the due run at once, and each future one only when its fire time comes', async () => {
      due.add({ id: 1, ...EVERY_SECOND, nextRunAt: ms(0), taskQueue: 'reports', taskPriority: 8 });
      start({ DISPATCH_LOOKAHEAD_MS: 3000 });

      await pass();
      expect(releases()).toEqual([{ at: 0, runs: [run(101, 'reports', 8)] }]);

      await advance(999);
      expect(releasedIds()).toEqual([101]);
      await advance(1);
      expect(releases()).toEqual([
        { at: 0, runs: [run(101, 'reports', 8)] },
        // Released by the dispatcher's own timer: a plain add, no BullMQ delay.
        { at: 1000, runs: [run(102, 'reports', 8)] },
      ]);
      await advance(999);
      expect(releasedIds()).toEqual([101, 102]);
      await advance(1);
      expect(releases().map((r) => [r.at, r.runs.map((x) => x.id)])).toEqual([
        [0, [101]],
        [1000, [102]],
        [2000, [103]],
      ]);
    });

    it('keeps an every-second job on time: each fire time is recorded once and enqueued once, at that fire time', async () => {
      due.add({ id: 1, ...EVERY_SECOND, nextRunAt: ms(0) });
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

      await pass();
      await advance(10_000);

      const fireTimes = fireTimesOf(1).map((t) => t.getTime() - base);
      expect(new Set(fireTimes).size).toBe(fireTimes.length);
      // Claimed ahead: the dispatcher woke about a second before each fire time it claimed.
      expect(fireTimes).toEqual(Array.from({ length: 13 }, (_, i) => i * 1000));
      const fireTimeOf = new Map(runsOf(1).map((r) => [r.id, r.scheduledFor.getTime() - base]));
      const released = releases().flatMap((r) => r.runs.map((x) => [r.at, fireTimeOf.get(x.id)]));
      expect(released).toEqual(Array.from({ length: 11 }, (_, i) => [i * 1000, i * 1000]));
      expect(due.nextRunAt(1)).toEqual(ms(13_000));
    });

    it('sends the runs of one fire time to their queues in one enqueue call', async () => {
      // Daily at 12:00:01 (twice) and at 12:00:02, seconds after the fake clock's start.
      due.add({
        id: 1,
        scheduleType: 'cron',
        scheduleExpression: '1 0 12 * * *',
        nextRunAt: ms(1000),
        taskQueue: 'reports',
        taskPriority: 2,
      });
      due.add({
        id: 2,
        scheduleType: 'cron',
        scheduleExpression: '1 0 12 * * *',
        nextRunAt: ms(1000),
        taskQueue: 'etl',
        taskPriority: 9,
      });
      due.add({ id: 3, scheduleType: 'cron', scheduleExpression: '2 0 12 * * *', nextRunAt: ms(2000) });
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

      await pass();
      expect(executions.runs.map((r) => [r.id, r.jobId, r.scheduledFor])).toEqual([
        [101, 1, ms(1000)],
        [102, 2, ms(1000)],
        [103, 3, ms(2000)],
      ]);
      expect(releases()).toEqual([]);

      await advance(1000);
      expect(releases()).toEqual([{ at: 1000, runs: [run(101, 'reports', 2), run(102, 'etl', 9)] }]);
      await advance(1000);
      expect(releases()).toEqual([
        { at: 1000, runs: [run(101, 'reports', 2), run(102, 'etl', 9)] },
        { at: 2000, runs: [run(103)] },
      ]);
    });

    it('with DISPATCH_LOOKAHEAD_MS 0 claims nothing in the future: a fire time is claimed and enqueued when it comes', async () => {
      due.add({ id: 1, ...EVERY_SECOND, nextRunAt: ms(1000) });
      start({ DISPATCH_LOOKAHEAD_MS: 0 });

      await pass();
      expect(due.locks.map((l) => [l.horizon, l.ids])).toEqual([[ms(0), []]]);
      expect(executions.runs).toEqual([]);
      expect(due.nextRunAt(1)).toEqual(ms(1000));

      await advance(999);
      expect(due.locks).toHaveLength(1);
      await advance(1);
      expect(runsOf(1).map((r) => [r.scheduledFor, r.notBefore])).toEqual([[ms(1000), null]]);
      expect(due.nextRunAt(1)).toEqual(ms(2000));
      expect(releases()).toEqual([{ at: 1000, runs: [run(101)] }]);
    });

    it('does not release a fire time that record does not answer (already recorded by another dispatcher)', async () => {
      due.add({ id: 1, ...EVERY_SECOND, nextRunAt: ms(1000) });
      // Another dispatcher recorded 12:00:02 already: insertRuns (ON CONFLICT DO NOTHING) answers nothing for it.
      await executions.record(dataSource.tx, [
        {
          jobId: 1,
          status: 'queued',
          trigger: 'schedule',
          scheduledFor: ms(2000),
          kwargs: {},
          triggeredBy: 'scheduler',
          notBefore: ms(2000),
        },
      ]);
      start({ DISPATCH_LOOKAHEAD_MS: 3000 });

      await pass();
      expect(fireTimesOf(1)).toEqual([ms(2000), ms(1000), ms(3000)]);
      expect(due.nextRunAt(1)).toEqual(ms(4000));

      await advance(3000);
      expect(releases().filter((r) => r.at <= 3000)).toEqual([
        { at: 1000, runs: [run(102)] },
        { at: 3000, runs: [run(103)] },
      ]);
      expect(releasedIds()).not.toContain(101);
    });

    it('on shutdown gives the runs still waiting back (deleted, next_run_at moved back to the first) in one transaction; no timer releases them', async () => {
      due.add({ id: 1, ...EVERY_SECOND, nextRunAt: ms(0), taskQueue: 'etl', taskPriority: 3 });
      start({ DISPATCH_LOOKAHEAD_MS: 3000 });
      await pass();
      await advance(500);
      expect(releases()).toEqual([{ at: 0, runs: [run(101, 'etl', 3)] }]);
      expect(due.nextRunAt(1)).toEqual(ms(4000));
      dataSource.log.length = 0;

      await dispatcher!.onModuleDestroy();

      expect(dataSource.log).toEqual(['begin', 'dropUnstarted', 'rewind', 'commit']);
      expect(runsOf(1).map((r) => r.id)).toEqual([101]);
      expect(due.nextRunAt(1)).toEqual(ms(1000));
      const calls = executions.enqueued.length;
      const locks = due.locks.length;
      await advance(10_000);
      expect(executions.enqueued).toHaveLength(calls);
      expect(due.locks).toHaveLength(locks);
      expect(registry.doesExist('timeout', TIMER)).toBe(false);
    });

    it('on shutdown, when giving back fails, leaves the runs recorded for the recovery sweep and says so', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      due.add({ id: 1, ...EVERY_SECOND, nextRunAt: ms(0) });
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });
      await pass();
      jest.spyOn(executions, 'dropUnstarted').mockRejectedValueOnce(new Error('connection terminated'));

      await dispatcher!.onModuleDestroy();

      expect(runsOf(1).map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('Could not give back 2 run(s) claimed ahead'));
      warn.mockRestore();
    });
  });

  describe('wakes and the timer', () => {
    it('subscribes to job changes at bootstrap and dispatches at once and on every notification', async () => {
      due.add({ id: 1, nextRunAt: at(-3) });
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

      await dispatcher!.onApplicationBootstrap();
      await dispatcher!.idle();
      expect(runsOf(1)).toHaveLength(1);

      due.add({ id: 2, nextRunAt: at(-1) });
      notifier.listeners.get(CHANNEL_JOBS_CHANGED)!('2');
      await dispatcher!.idle();
      expect(runsOf(2)).toHaveLength(1);
      expect(due.locks).toHaveLength(2);
    });

    it('coalesces wakes that arrive during a pass into one more round', async () => {
      due.add({ id: 1, nextRunAt: at(-3) });
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

      dispatcher!.wake();
      dispatcher!.wake();
      dispatcher!.wake();
      await dispatcher!.idle();

      expect(due.locks.map((l) => l.ids)).toEqual([[1], []]);
    });

    it('survives a failed pass and arms the timer to try again', async () => {
      due.add({ id: 1, nextRunAt: at(-3) });
      due.lockFailure = new Error('connection reset');
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

      await pass();

      expect(errors).toHaveBeenCalledWith(expect.stringContaining('connection reset'));
      expect(registry.doesExist('timeout', TIMER)).toBe(true);
      expect(executions.runs).toEqual([]);
      await advance(1999);
      expect(due.locks).toHaveLength(0);
      await advance(1);
      expect(runsOf(1)).toHaveLength(1);
    });

    it.each([0, 2000, 5000])(
      'with DISPATCH_LOOKAHEAD_MS %i wakes that long before the earliest due next_run_at, and enqueues at the fire time',
      async (lookahead) => {
        due.add({ id: 1, nextRunAt: at(0, 30) });
        start({ DISPATCH_LOOKAHEAD_MS: lookahead });

        await pass();
        expect(due.locks).toHaveLength(1);
        await advance(30_000 - lookahead - 1);
        expect(due.locks).toHaveLength(1);
        await advance(1);

        expect(due.locks).toHaveLength(2);
        expect(runsOf(1).map((r) => [r.scheduledFor, r.notBefore])).toEqual([
          [at(0, 30), lookahead === 0 ? null : at(0, 30)],
        ]);
        expect(due.nextRunAt(1)).toEqual(at(10, 30));
        if (lookahead > 0) {
          expect(releasedIds()).toEqual([]);
          await advance(lookahead - 1);
          expect(releasedIds()).toEqual([]);
          await advance(1);
        }
        expect(releases()).toEqual([{ at: 30_000, runs: [run(101)] }]);
      },
    );

    it('sleeps at most DISPATCH_POLL_SECONDS (the safety poll), however far off the next job is', async () => {
      due.add({ id: 1, nextRunAt: at(60) });
      start({ DISPATCH_LOOKAHEAD_MS: 2000, DISPATCH_POLL_SECONDS: 5 });

      await pass();
      for (const locks of [2, 3]) {
        await advance(4_999);
        expect(due.locks).toHaveLength(locks - 1);
        await advance(1);
        expect(due.locks).toHaveLength(locks);
      }
      expect(executions.runs).toEqual([]);
    });

    it('sleeps for the safety poll when no job is scheduled at all', async () => {
      start({ DISPATCH_LOOKAHEAD_MS: 2000, DISPATCH_POLL_SECONDS: 5 });

      await pass();
      await advance(4_999);
      expect(due.locks).toHaveLength(1);
      await advance(1);
      expect(due.locks).toHaveLength(2);
    });

    it.each([
      ['already due', -1000],
      ['due within the lookahead', 1500],
    ])('looks again shortly, without spinning, when a job %s is held by another dispatcher', async (_what, offset) => {
      due.add({ id: 1, nextRunAt: ms(offset) });
      due.held.add(1);
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });

      await pass();
      await advance(49);
      expect(due.locks).toHaveLength(1);
      await advance(1);
      expect(due.locks).toHaveLength(2);
      expect(executions.runs).toEqual([]);
    });

    it('stops: no timer is left and wakes are ignored', async () => {
      due.add({ id: 1, nextRunAt: at(5) });
      start({ DISPATCH_LOOKAHEAD_MS: 2000 });
      await pass();
      expect(registry.doesExist('timeout', TIMER)).toBe(true);

      await dispatcher!.onModuleDestroy();

      expect(registry.doesExist('timeout', TIMER)).toBe(false);
      due.add({ id: 2, nextRunAt: at(-1) });
      dispatcher!.wake();
      await dispatcher!.idle();
      expect(due.locks).toHaveLength(1);
      expect(executions.runs).toEqual([]);
    });
  });
});
