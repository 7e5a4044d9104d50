import { EventEmitter2 } from '@nestjs/event-emitter';
import type { ChannelsService } from '../../../src/modules/channels/channels.service';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../../../src/common/actor';
import type { AuditEntry, AuditService } from '../../../src/modules/audit/audit.service';
import type { TokenHolder } from '../../../src/modules/auth/users.repository';
import type { UsersService } from '../../../src/modules/auth/users.service';
import { ExecutionResponseDto } from '../../../src/modules/executions/dto/execution-response.dto';
import { FIRE_TIME_TRIGGERS, type Execution, type RunTrigger } from '../../../src/modules/executions/execution.entity';
import type { EnqueueTarget, InsertedRun } from '../../../src/modules/executions/executions.repository';
import type {
  ExecutionsService,
  FinishedRun,
  NewRun,
  RunOutcome,
} from '../../../src/modules/executions/executions.service';
import type { Job } from '../../../src/modules/jobs/job.entity';
import type { JobsRepository } from '../../../src/modules/jobs/jobs.repository';
import { JobsService } from '../../../src/modules/jobs/jobs.service';
import { SchedulesService } from '../../../src/modules/schedules/schedules.service';
import type { TaskRegistry } from '../../../src/modules/tasks/task-registry.service';
import { AppConfig } from '../../../src/config/app-config';

/** Hand-written fakes shared by the unit tests of services that own a transaction and audit. */

export const superuserActor: Actor = { kind: 'user', name: 'root', userId: 1, isSuperuser: true, ip: '203.0.113.7' };

/**
 * Runs each `transaction` callback at once on one marker EntityManager (`tx`), so a test can
 * check that the repositories and the audit were handed the same transaction.
 */
export class FakeDataSource {
  readonly tx = { fakeTransaction: true } as unknown as EntityManager;
  transactions = 0;
  /** `begin`, then `commit` or `rollback`, per transaction; other fakes may write to it too (see FakeExecutionsService). */
  readonly log: string[] = [];

  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    this.transactions++;
    this.log.push('begin');
    try {
      const result = await work(this.tx);
      this.log.push('commit');
      return result;
    } catch (error) {
      this.log.push('rollback');
      throw error;
    }
  }

  asDataSource(): DataSource {
    return this as unknown as DataSource;
  }
}

/** Keeps every entry with the transaction it was recorded in; writes `audit` to `log` (e.g. FakeDataSource.log). */
export class FakeAuditService implements Pick<AuditService, 'record'> {
  readonly recorded: { tx: EntityManager; entry: AuditEntry }[] = [];

  constructor(private readonly log: string[] = []) {}

  async record(tx: EntityManager, entry: AuditEntry): Promise<void> {
    this.log.push('audit');
    this.recorded.push({ tx, entry });
  }

  get entries(): AuditEntry[] {
    return this.recorded.map((r) => r.entry);
  }

  asAuditService(): AuditService {
    return this as unknown as AuditService;
  }
}

/** What the pg driver throws through TypeORM, e.g. `23505` for a unique violation. */
export function queryFailed(code: string): QueryFailedError {
  return new QueryFailedError('INSERT …', [], Object.assign(new Error(`pg error ${code}`), { code }));
}

/** The per-request token lookup (user + revocation) that JwtStrategy makes, over a map of users. */
export class FakeTokenHolders implements Pick<UsersService, 'findTokenHolder'> {
  readonly holders = new Map<number, Omit<TokenHolder, 'revoked'>>();
  readonly revoked = new Set<string>();
  readonly lookups: [number, string][] = [];
  failure: Error | undefined;

  async findTokenHolder(id: number, jti: string): Promise<TokenHolder | null> {
    this.lookups.push([id, jti]);
    if (this.failure) throw this.failure;
    const holder = this.holders.get(id);
    return holder ? { ...holder, revoked: this.revoked.has(jti) } : null;
  }

  asUsersService(): UsersService {
    return this as unknown as UsersService;
  }
}

const JOB_CREATED_AT = new Date('2026-01-02T03:04:05Z');
/** What FakeJobsRepository.save sets `updatedAt` to (the database's `now()` on update). */
export const JOB_SAVED_AT = new Date('2026-01-03T00:00:00Z');

/** A stored job: an enabled, active interval job on the default queue, with `overrides`. */
export function makeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 1,
    name: 'nightly-report',
    title: 'Nightly report',
    description: null,
    jobType: 'custom',
    scheduleType: 'interval',
    scheduleExpression: '10',
    timezone: 'UTC',
    taskName: 'demo.echo',
    taskArgs: [],
    taskKwargs: {},
    taskQueue: 'default',
    taskPriority: 5,
    timeoutSeconds: 300,
    maxRetries: 0,
    retryBackoffSeconds: 60,
    misfirePolicy: 'run_once',
    overlapPolicy: 'skip',
    isEnabled: true,
    status: 'active',
    nextRunAt: null,
    lastRunAt: null,
    lastRunStatus: null,
    totalRuns: 0,
    successfulRuns: 0,
    failedRuns: 0,
    totalDurationSeconds: 0,
    config: {},
    metadata: {},
    tags: [],
    pausedReason: null,
    pausedBy: null,
    pausedAt: null,
    startAt: null,
    endAt: null,
    maxRuns: null,
    scheduledRuns: 0,
    jitterSeconds: 0,
    notifyChannelIds: [],
    notifyOn: ['run.failed', 'run.timed_out'],
    createdBy: 'root',
    createdAt: JOB_CREATED_AT,
    updatedAt: JOB_CREATED_AT,
    ...overrides,
  };
}

/** Jobs by id; records which transaction each lock, save and notification used. */
export class FakeJobsRepository implements Pick<
  JobsRepository,
  'findByIdForUpdate' | 'findByName' | 'insert' | 'save' | 'notifyChanged'
> {
  readonly rows = new Map<number, Job>();
  readonly calls: { method: string; id: number; tx: EntityManager }[] = [];

  constructor(private readonly log: string[] = []) {}

  seed(overrides: Partial<Job> = {}): Job {
    const job = makeJob(overrides);
    this.rows.set(job.id, job);
    return job;
  }

  async findByIdForUpdate(id: number, tx: EntityManager): Promise<Job | null> {
    this.note('findByIdForUpdate', id, tx);
    return this.rows.get(id) ?? null;
  }

  async findByName(name: string): Promise<Job | null> {
    return [...this.rows.values()].find((job) => job.name === name) ?? null;
  }

  /** As the database: the next id, the counters at zero, created now; the fields create gives, as given. */
  async insert(fields: Partial<Job>, tx: EntityManager): Promise<Job> {
    const job: Job = { ...makeJob({ id: Math.max(0, ...this.rows.keys()) + 1 }), ...fields };
    this.note('insert', job.id, tx);
    this.rows.set(job.id, job);
    return job;
  }

  async save(job: Job, tx: EntityManager): Promise<Job> {
    this.note('save', job.id, tx);
    job.updatedAt = JOB_SAVED_AT;
    this.rows.set(job.id, job);
    return job;
  }

  async notifyChanged(tx: EntityManager, id: number): Promise<void> {
    this.note('notifyChanged', id, tx);
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  asJobsRepository(): JobsRepository {
    return this as unknown as JobsRepository;
  }

  private note(method: string, id: number, tx: EntityManager): void {
    this.calls.push({ method, id, tx });
    this.log.push(method);
  }
}

type EnqueueRequest = Parameters<ExecutionsService['enqueue']>[0][number];

const isFireTimeRun = (trigger: RunTrigger) => (FIRE_TIME_TRIGGERS as readonly RunTrigger[]).includes(trigger);

/**
 * The runs side that the dispatcher, the recovery sweep, "run now" and backfill use. `record` keeps
 * the unique (job, fire time) key of scheduled and backfill runs (a duplicate is not inserted, as
 * ON CONFLICT DO NOTHING) and numbers runs from 101; each call is written to `log` (share
 * FakeDataSource.log to see whether it happened inside a transaction), and each enqueue's time
 * (Date.now(), fake timers included) to `enqueueTimes`.
 */
export class FakeExecutionsService implements Pick<
  ExecutionsService,
  | 'record'
  | 'jobsWithActiveRuns'
  | 'skipOverlapping'
  | 'replacePrevious'
  | 'dropUnstarted'
  | 'enqueue'
  | 'get'
  | 'findStaleQueued'
  | 'findLostRunning'
  | 'complete'
> {
  /** Jobs with a run going (running, or queued and due): their runs checked by skipOverlapping are skipped. */
  readonly active = new Set<number>();
  readonly activeQueries: { tx: EntityManager; jobIds: number[] }[] = [];
  /** The run ids each skipOverlapping call was asked about. */
  readonly overlapChecks: number[][] = [];
  /** The run ids each replacePrevious call was given (overlap policy replace). */
  readonly replacements: number[][] = [];
  readonly runs: (NewRun & { id: number; tx: EntityManager })[] = [];
  readonly enqueued: EnqueueRequest[][] = [];
  /** When each `enqueued` call was made (Date.now()). */
  readonly enqueueTimes: number[] = [];
  staleQueued: EnqueueTarget[] = [];
  lostRunning: number[] = [];
  readonly sweepQueries: { method: string; seconds: number; limit: number }[] = [];
  readonly completed: { id: number; outcome: RunOutcome; onlyFrom: string[] | undefined }[] = [];
  private nextId = 101;

  constructor(private readonly log: string[] = []) {}

  async jobsWithActiveRuns(tx: EntityManager, jobIds: number[]): Promise<Set<number>> {
    this.log.push('jobsWithActiveRuns');
    this.activeQueries.push({ tx, jobIds });
    return new Set(jobIds.filter((id) => this.active.has(id)));
  }

  async skipOverlapping(runIds: number[]): Promise<Set<number>> {
    this.log.push('skipOverlapping');
    this.overlapChecks.push(runIds);
    const skipped = this.runs.filter((r) => runIds.includes(r.id) && this.active.has(r.jobId));
    for (const run of skipped) run.status = 'skipped';
    return new Set(skipped.map((r) => r.id));
  }

  async dropUnstarted(
    tx: EntityManager,
    runIds: number[],
  ): Promise<{ id: number; jobId: number; scheduledFor: Date }[]> {
    this.log.push('dropUnstarted');
    const dropped = this.runs.filter((r) => runIds.includes(r.id) && r.status === 'queued');
    for (const run of dropped) this.runs.splice(this.runs.indexOf(run), 1);
    return dropped.map((r) => ({ id: r.id, jobId: r.jobId, scheduledFor: r.scheduledFor }));
  }

  async record(tx: EntityManager, rows: NewRun[]): Promise<InsertedRun[]> {
    this.log.push('record');
    const inserted: InsertedRun[] = [];
    for (const row of rows) {
      const taken = this.runs.some(
        (r) =>
          isFireTimeRun(row.trigger) &&
          isFireTimeRun(r.trigger) &&
          r.jobId === row.jobId &&
          r.scheduledFor.getTime() === row.scheduledFor.getTime(),
      );
      if (taken) continue;
      const run = { ...row, id: this.nextId++, tx };
      this.runs.push(run);
      inserted.push({
        id: run.id,
        jobId: run.jobId,
        status: run.status,
        scheduledFor: run.scheduledFor,
        notBefore: run.notBefore ?? null,
      });
    }
    return inserted;
  }

  async replacePrevious(runIds: number[]): Promise<void> {
    this.log.push('replacePrevious');
    this.replacements.push(runIds);
  }

  async enqueue(runs: EnqueueRequest[]): Promise<void> {
    this.log.push('enqueue');
    this.enqueued.push(runs);
    this.enqueueTimes.push(Date.now());
  }

  async get(id: number): Promise<ExecutionResponseDto> {
    this.log.push('get');
    const run = this.runs.find((r) => r.id === id);
    if (!run) throw new Error(`FakeExecutionsService: no run ${id}`);
    return ExecutionResponseDto.from({
      id: run.id,
      jobId: run.jobId,
      status: run.status,
      trigger: run.trigger,
      scheduledFor: run.scheduledFor,
      queuedAt: run.scheduledFor,
      notBefore: run.notBefore ?? null,
      startedAt: null,
      finishedAt: null,
      durationSeconds: null,
      attempt: run.attempt ?? 1,
      retryOf: run.retryOf ?? null,
      worker: null,
      kwargs: run.kwargs,
      result: null,
      error: run.error ?? null,
      triggeredBy: run.triggeredBy,
    });
  }

  async findStaleQueued(olderThanSeconds: number, limit: number): Promise<EnqueueTarget[]> {
    this.sweepQueries.push({ method: 'findStaleQueued', seconds: olderThanSeconds, limit });
    return this.staleQueued;
  }

  async findLostRunning(graceSeconds: number, limit: number): Promise<number[]> {
    this.sweepQueries.push({ method: 'findLostRunning', seconds: graceSeconds, limit });
    return this.lostRunning;
  }

  async complete(id: number, outcome: RunOutcome, onlyFrom?: Execution['status'][]): Promise<FinishedRun | null> {
    this.log.push('complete');
    this.completed.push({ id, outcome, onlyFrom });
    return null;
  }

  /** The runs enqueued, all calls together. */
  get enqueuedRuns(): EnqueueRequest[] {
    return this.enqueued.flat();
  }

  asExecutionsService(): ExecutionsService {
    return this as unknown as ExecutionsService;
  }
}

/** The real JobsService (its schedule arithmetic and lookups) over the fake repository, audit and tasks. */
export function realJobsService(
  dataSource: FakeDataSource,
  jobs: FakeJobsRepository,
  audit: FakeAuditService,
  tasks: Partial<TaskRegistry> = {},
  events: EventEmitter2 = new EventEmitter2(),
): JobsService {
  return new JobsService(
    dataSource.asDataSource(),
    jobs.asJobsRepository(),
    new SchedulesService(),
    audit.asAuditService(),
    tasks as TaskRegistry,
    AppConfig.from({}),
    events,
    // No job in the unit tests names a channel.
    { requireChannels: () => Promise.resolve() } as unknown as ChannelsService,
  );
}
