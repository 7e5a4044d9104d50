import type { EntityManager } from 'typeorm';
import { ValidationFailedError } from '../../../src/common/errors';
import { BackfillService } from '../../../src/modules/executions/backfill.service';
import type { BackfillJobDto } from '../../../src/modules/executions/dto/backfill-job.dto';
import { FIRE_TIME_TRIGGERS, type RunTrigger } from '../../../src/modules/executions/execution.entity';
import type { ExecutionsRepository } from '../../../src/modules/executions/executions.repository';
import { JobNotFoundError } from '../../../src/modules/jobs/jobs.errors';
import { SchedulesService } from '../../../src/modules/schedules/schedules.service';
import {
  FakeAuditService,
  FakeDataSource,
  FakeExecutionsService,
  FakeJobsRepository,
  realJobsService,
  superuserActor,
} from '../support/fakes';

/** The two reads BackfillService makes of the runs, over FakeExecutionsService's runs. */
class FakeRunReads implements Pick<ExecutionsRepository, 'fireTimesWithRuns' | 'latestFireTime'> {
  constructor(
    private readonly executions: FakeExecutionsService,
    private readonly log: string[],
  ) {}

  async fireTimesWithRuns(_tx: EntityManager, jobId: number, times: Date[]): Promise<Set<number>> {
    this.log.push('fireTimesWithRuns');
    const wanted = new Set(times.map((t) => t.getTime()));
    return new Set(this.fireTimeRuns(jobId).filter((t) => wanted.has(t)));
  }

  async latestFireTime(_tx: EntityManager, jobId: number): Promise<Date | null> {
    const times = this.fireTimeRuns(jobId);
    return times.length ? new Date(Math.max(...times)) : null;
  }

  private fireTimeRuns(jobId: number): number[] {
    return this.executions.runs
      .filter((r) => r.jobId === jobId && (FIRE_TIME_TRIGGERS as readonly RunTrigger[]).includes(r.trigger))
      .map((r) => r.scheduledFor.getTime());
  }
}

/** Daily 09:00 in Paris from 2026-03-27 to 2026-03-31: the clocks go forward on the 29th. */
const PARIS = { scheduleType: 'daily' as const, scheduleExpression: '09:00', timezone: 'Europe/Paris' };
const RANGE: BackfillJobDto = { from: '2026-03-27T00:00:00Z', to: '2026-03-31T00:00:00Z', max_runs: 100 };
const FIRE_TIMES = [
  '2026-03-27T08:00:00.000Z',
  '2026-03-28T08:00:00.000Z',
  '2026-03-29T07:00:00.000Z',
  '2026-03-30T07:00:00.000Z',
];

describe(BackfillService.name, () => {
  let dataSource: FakeDataSource;
  let jobs: FakeJobsRepository;
  let executions: FakeExecutionsService;
  let audit: FakeAuditService;
  let service: BackfillService;

  beforeEach(() => {
    dataSource = new FakeDataSource();
    jobs = new FakeJobsRepository(dataSource.log);
    executions = new FakeExecutionsService(dataSource.log);
    audit = new FakeAuditService(dataSource.log);
    service = new BackfillService(
      dataSource.asDataSource(),
      realJobsService(dataSource, jobs, audit),
      new SchedulesService(),
      executions.asExecutionsService(),
      new FakeRunReads(executions, dataSource.log) as unknown as ExecutionsRepository,
      audit.asAuditService(),
    );
  });

  const record = (trigger: RunTrigger, at: string, jobId = 4) =>
    executions.record(dataSource.tx, [
      { jobId, status: 'succeeded', trigger, scheduledFor: new Date(at), kwargs: {}, triggeredBy: 'scheduler' },
    ]);

  function expectNothingWritten(): void {
    expect(executions.runs).toEqual([]);
    expect(executions.enqueued).toEqual([]);
    expect(audit.recorded).toEqual([]);
  }

  it("records a run per fire time in the job's zone, audits it in the same transaction, and queues them after commit", async () => {
    jobs.seed({ id: 4, ...PARIS, taskKwargs: { limit: 10 }, taskQueue: 'reports', taskPriority: 8 });

    const answer = await service.backfill(4, RANGE, superuserActor);

    expect(answer).toEqual({ recorded: 4, already_present: 0, fire_times: FIRE_TIMES });
    expect(executions.runs).toEqual(
      FIRE_TIMES.map((at, i) => ({
        id: 101 + i,
        tx: dataSource.tx,
        jobId: 4,
        status: 'queued',
        trigger: 'backfill',
        scheduledFor: new Date(at),
        kwargs: { limit: 10 },
        triggeredBy: 'root',
      })),
    );
    expect(audit.recorded).toEqual([
      {
        tx: dataSource.tx,
        entry: {
          actor: superuserActor,
          action: 'job.backfill',
          entityType: 'job',
          entityId: 4,
          changes: {
            from: { before: null, after: '2026-03-27T00:00:00.000Z' },
            to: { before: null, after: '2026-03-31T00:00:00.000Z' },
            max_runs: { before: null, after: 100 },
            recorded: { before: null, after: 4 },
            already_present: { before: null, after: 0 },
          },
        },
      },
    ]);
    expect(executions.enqueued).toEqual([
      [101, 102, 103, 104].map((id) => ({ id, taskQueue: 'reports', taskPriority: 8 })),
    ]);
    expect(dataSource.log).toEqual([
      'begin',
      'findByIdForUpdate',
      'fireTimesWithRuns',
      'record',
      'audit',
      'commit',
      'enqueue',
    ]);
  });

  it('leaves out the fire times that have a scheduled or backfill run (a manual run at one does not count)', async () => {
    jobs.seed({ id: 4, ...PARIS });
    await record('schedule', FIRE_TIMES[0]);
    await record('backfill', FIRE_TIMES[2]);
    await record('manual', FIRE_TIMES[3]);
    await record('schedule', FIRE_TIMES[1], 5);

    const answer = await service.backfill(4, RANGE, superuserActor);

    expect(answer).toEqual({ recorded: 2, already_present: 2, fire_times: FIRE_TIMES });
    const recorded = executions.runs.filter((r) => r.trigger === 'backfill' && r.id > 104);
    expect(recorded.map((r) => r.scheduledFor.toISOString())).toEqual([FIRE_TIMES[1], FIRE_TIMES[3]]);
  });

  it('backfills a paused, disabled job: an explicit act, which does not resume it', async () => {
    const job = jobs.seed({ id: 4, ...PARIS, status: 'paused', isEnabled: false });
    expect((await service.backfill(4, RANGE, superuserActor)).recorded).toBe(4);
    expect(job).toMatchObject({ status: 'paused', isEnabled: false });
  });

  it('refuses a range with more fire times than max_runs, naming max_runs, and records nothing', async () => {
    jobs.seed({ id: 4, ...PARIS });
    const error = await service.backfill(4, { ...RANGE, max_runs: 3 }, superuserActor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as Error).message).toMatch(/^max_runs: the range holds more than 3 fire times/);
    expectNothingWritten();
    expect(dataSource.log).toContain('rollback');
    // Exactly max_runs is fine.
    expect((await service.backfill(4, { ...RANGE, max_runs: 4 }, superuserActor)).recorded).toBe(4);
  });

  it('refuses to <= from and to in the future, naming to, before it touches the job', async () => {
    jobs.seed({ id: 4, ...PARIS });
    const future = new Date(Date.now() + 60_000).toISOString();
    for (const range of [
      { ...RANGE, to: RANGE.from },
      { ...RANGE, from: RANGE.to, to: RANGE.from },
      { ...RANGE, to: future },
    ]) {
      const error = await service.backfill(4, range, superuserActor).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationFailedError);
      expect((error as Error).message).toMatch(/^to: must/);
    }
    expect(dataSource.transactions).toBe(0);
    expectNothingWritten();
  });

  it('answers JOB_NOT_FOUND for an unknown job and records nothing', async () => {
    await expect(service.backfill(99, RANGE, superuserActor)).rejects.toThrow(JobNotFoundError);
    expectNothingWritten();
  });

  describe('interval jobs', () => {
    const hourly = { scheduleType: 'interval' as const, scheduleExpression: '60' };
    const range = { from: '2026-03-01T00:00:00Z', to: '2026-03-01T03:00:00Z', max_runs: 100 };

    it('count on the lattice of next_run_at', async () => {
      jobs.seed({ id: 4, ...hourly, nextRunAt: new Date('2026-12-01T10:20:00Z') });
      expect((await service.backfill(4, range, superuserActor)).fire_times).toEqual([
        '2026-03-01T00:20:00.000Z',
        '2026-03-01T01:20:00.000Z',
        '2026-03-01T02:20:00.000Z',
      ]);
    });

    it('without one (paused), on the lattice of the latest scheduled run; without runs, from `from`', async () => {
      jobs.seed({ id: 4, ...hourly, status: 'paused', nextRunAt: null });
      expect((await service.backfill(4, range, superuserActor)).fire_times).toEqual([
        '2026-03-01T00:00:00.000Z',
        '2026-03-01T01:00:00.000Z',
        '2026-03-01T02:00:00.000Z',
      ]);
      jobs.seed({ id: 5, ...hourly, status: 'paused', nextRunAt: null });
      await record('schedule', '2026-02-20T07:45:00Z', 5);
      expect((await service.backfill(5, range, superuserActor)).fire_times).toEqual([
        '2026-03-01T00:45:00.000Z',
        '2026-03-01T01:45:00.000Z',
        '2026-03-01T02:45:00.000Z',
      ]);
    });
  });
});
