import { Injectable } from '@nestjs/common';
import { ChannelsService } from '../channels/channels.service';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor';
import { keepRedacted } from '../../common/logging/redaction';
import { toPage, type Page, type PageRequest } from '../../common/pagination';
import { AppConfig } from '../../config/app-config';
import { changesBetween } from '../audit/audit-changes';
import { AuditService } from '../audit/audit.service';
import type { NormalizedScheduleSpec } from '../schedules/schedule.types';
import { SchedulesService } from '../schedules/schedules.service';
import { TaskRegistry } from '../tasks/task-registry.service';
import type { CreateJobDto } from './dto/create-job.dto';
import { JobResponseDto } from './dto/job-response.dto';
import type { UpdateJobDto } from './dto/update-job.dto';
import { Job, type JobStatus, type JobType } from './job.entity';
import { JobsRepository, type JobFilter } from './jobs.repository';
import { JobNameTakenError, JobNotFoundError } from './jobs.errors';
import { JOB_DEFAULTS } from './job-defaults';
import { announceJobChanged } from './job-events';
import { withinLimits } from './job-window';
import { InvalidJobWindowError } from './jobs.errors';

export type JobListFilter = Omit<JobFilter, 'dueBefore'> & { overdue?: boolean };

/** Fields whose change means the next fire time must be computed again. */
const SCHEDULING_FIELDS = [
  'schedule_type',
  'schedule_expression',
  'timezone',
  'is_enabled',
  'status',
  'start_at',
  'end_at',
  'max_runs',
] as const;
/** Bookkeeping the audit log leaves out: the entry itself says when and which job. */
const UNAUDITED = ['id', 'created_at', 'updated_at'] as const;

/** Jobs: CRUD with validation; transport-neutral (API and CLI call the same methods). */
@Injectable()
export class JobsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsRepository,
    private readonly schedules: SchedulesService,
    private readonly audit: AuditService,
    private readonly tasks: TaskRegistry,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
    private readonly channels: ChannelsService,
  ) {}

  /** A page of jobs; `overdue` keeps the jobs more than OVERDUE_GRACE_SECONDS late (as the overdue list). */
  async list(query: JobListFilter, page: PageRequest, now = new Date()): Promise<Page<JobResponseDto>> {
    const { overdue, ...filter } = query;
    const dueBefore = overdue ? new Date(now.getTime() - this.config.overdueGraceSeconds * 1000) : undefined;
    const [items, total] = await this.jobs.list({ ...filter, dueBefore }, page);
    return toPage(
      items.map((job) => JobResponseDto.from(job)),
      total,
      page,
    );
  }

  async get(id: number): Promise<JobResponseDto> {
    return JobResponseDto.from(await this.require(id));
  }

  async create(dto: CreateJobDto, actor: Actor): Promise<JobResponseDto> {
    this.checkNew(dto);
    return this.transaction((tx) => this.createIn(tx, dto, actor));
  }

  /**
   * The checks create makes before its transaction (no database): the schedule, the task's
   * kwargs and the window. Answers the schedule as a job stores it (trimmed, time zone defaulted
   * and spelled right).
   */
  checkNew(dto: CreateJobDto): NormalizedScheduleSpec {
    const spec = this.scheduleOf(dto);
    this.tasks.validateKwargs(dto.task_name, dto.task_kwargs ?? {});
    windowOf(dto);
    return spec;
  }

  /** create inside the caller's transaction `tx`, after checkNew (apply creates many jobs in one). */
  async createIn(tx: EntityManager, dto: CreateJobDto, actor: Actor): Promise<JobResponseDto> {
    const spec = this.scheduleOf(dto);
    const { startAt, endAt } = windowOf(dto);
    if (await this.jobs.findByName(dto.name, tx)) throw duplicateName(dto.name);
    if (dto.notify_channel_ids) await this.channels.requireChannels(dto.notify_channel_ids, 'notify_channel_ids', tx);
    const job = await this.jobs.insert(
      {
        name: dto.name,
        title: dto.title,
        description: dto.description ?? null,
        jobType: dto.job_type,
        scheduleType: spec.type,
        scheduleExpression: spec.expression,
        timezone: spec.timezone,
        taskName: dto.task_name,
        taskArgs: dto.task_args ?? [],
        taskKwargs: dto.task_kwargs ?? {},
        taskQueue: dto.task_queue ?? JOB_DEFAULTS.task_queue,
        taskPriority: dto.task_priority ?? JOB_DEFAULTS.task_priority,
        timeoutSeconds: dto.timeout_seconds ?? JOB_DEFAULTS.timeout_seconds,
        maxRetries: dto.max_retries ?? JOB_DEFAULTS.max_retries,
        retryBackoffSeconds: dto.retry_backoff_seconds ?? JOB_DEFAULTS.retry_backoff_seconds,
        misfirePolicy: dto.misfire_policy ?? JOB_DEFAULTS.misfire_policy,
        overlapPolicy: dto.overlap_policy ?? JOB_DEFAULTS.overlap_policy,
        isEnabled: dto.is_enabled ?? JOB_DEFAULTS.is_enabled,
        status: dto.status ?? JOB_DEFAULTS.status,
        config: dto.config ?? {},
        metadata: dto.metadata ?? {},
        tags: dto.tags ?? [],
        startAt,
        endAt,
        maxRuns: dto.max_runs ?? null,
        scheduledRuns: 0,
        jitterSeconds: dto.jitter_seconds ?? JOB_DEFAULTS.jitter_seconds,
        ...pausedState(dto.status ?? JOB_DEFAULTS.status, actor, null),
        notifyChannelIds: dto.notify_channel_ids ?? [],
        notifyOn: dto.notify_on ?? [...JOB_DEFAULTS.notify_on],
        createdBy: actor.name,
        nextRunAt: null,
      },
      tx,
    );
    job.nextRunAt = this.computeNextRun(job, new Date());
    const created = JobResponseDto.from(await this.jobs.save(job, tx));
    await this.jobs.notifyChanged(tx, job.id);
    await this.audit.record(tx, {
      actor,
      action: 'job.create',
      entityType: 'job',
      entityId: job.id,
      changes: changesBetween(null, created, { ignore: UNAUDITED }),
    });
    return created;
  }

  async update(id: number, dto: UpdateJobDto, actor: Actor): Promise<JobResponseDto> {
    return this.transaction(async (tx) => {
      const job = await this.jobs.findByIdForUpdate(id, tx);
      if (!job) throw new JobNotFoundError(id);
      return this.updateIn(tx, job, dto, actor);
    });
  }

  /** update inside the caller's transaction `tx`, of a job it has locked (apply updates many in one). */
  async updateIn(tx: EntityManager, job: Job, dto: UpdateJobDto, actor: Actor): Promise<JobResponseDto> {
    const id = job.id;
    const before = JobResponseDto.from(job);
    if (dto.name !== undefined && dto.name !== job.name && (await this.jobs.findByName(dto.name, tx)))
      throw duplicateName(dto.name);
    if (dto.notify_channel_ids) await this.channels.requireChannels(dto.notify_channel_ids, 'notify_channel_ids', tx);
    const wasStatus = job.status;
    applyUpdate(job, dto);
    checkWindow(job.startAt, job.endAt);
    if (job.status !== wasStatus) Object.assign(job, pausedState(job.status, actor, null));
    if (dto.task_name !== undefined || dto.task_kwargs !== undefined)
      this.tasks.validateKwargs(job.taskName, job.taskKwargs);
    const spec = this.schedules.validate({
      type: job.scheduleType,
      expression: job.scheduleExpression,
      timezone: job.timezone,
    });
    job.scheduleType = spec.type;
    job.scheduleExpression = spec.expression;
    job.timezone = spec.timezone;
    // The runs claimed ahead under the old definition go first: they stop counting as runs.
    const dropped = await announceJobChanged(this.events, { tx, jobId: id });
    job.scheduledRuns = Math.max(0, job.scheduledRuns - dropped.length);
    const now = new Date();
    if (SCHEDULING_FIELDS.some((field) => dto[field] !== undefined)) job.nextRunAt = this.computeNextRun(job, now);
    else job.nextRunAt = this.reclaimFrom(job, now, dropped[0] ?? null);
    const updated = JobResponseDto.from(await this.jobs.save(job, tx));
    await this.jobs.notifyChanged(tx, id);
    await this.audit.record(tx, {
      actor,
      action: 'job.update',
      entityType: 'job',
      entityId: id,
      changes: changesBetween(before, updated, { ignore: UNAUDITED }),
    });
    return updated;
  }

  async delete(id: number, actor: Actor): Promise<void> {
    await this.transaction(async (tx) => {
      const job = await this.jobs.findByIdForUpdate(id, tx);
      if (!job) throw new JobNotFoundError(id);
      await this.deleteIn(tx, job, actor);
    });
  }

  /** delete inside the caller's transaction `tx`, of a job it has locked (apply's prune deletes many in one). */
  async deleteIn(tx: EntityManager, job: Job, actor: Actor): Promise<void> {
    await this.jobs.delete(job.id, tx);
    await this.jobs.notifyChanged(tx, job.id);
    await this.audit.record(tx, {
      actor,
      action: 'job.delete',
      entityType: 'job',
      entityId: job.id,
      changes: changesBetween(JobResponseDto.from(job), null, { ignore: UNAUDITED }),
    });
  }

  private scheduleOf(dto: CreateJobDto): NormalizedScheduleSpec {
    return this.schedules.validate({
      type: dto.schedule_type,
      expression: dto.schedule_expression,
      timezone: dto.timezone ?? JOB_DEFAULTS.timezone,
    });
  }

  /**
   * The first fire time after `after` inside the job's window (an interval schedule with a
   * start_at fires at start_at, then every interval from it); null while the job cannot run
   * (disabled, paused, past its window or out of runs).
   */
  computeNextRun(job: Job, after: Date, anchor?: Date | null): Date | null {
    if (!job.isEnabled || job.status !== 'active') return null;
    const spec = { type: job.scheduleType, expression: job.scheduleExpression, timezone: job.timezone };
    let next: Date | null;
    if (job.startAt && after < job.startAt)
      next =
        spec.type === 'interval' ? job.startAt : this.schedules.nextRunAt(spec, new Date(job.startAt.getTime() - 1));
    else next = this.schedules.nextRunAt(spec, after, anchor ?? (spec.type === 'interval' ? job.startAt : null));
    return withinLimits(next, job);
  }

  /**
   * next_run_at after a change that keeps the schedule: back to the first fire time after `now`,
   * so the fire times whose runs were claimed ahead (and dropped with the change) are claimed
   * again under the new definition; a next_run_at already due stays (the misfire policy decides).
   */
  private reclaimFrom(job: Job, now: Date, earliestDropped: Date | null): Date | null {
    // A job out of runs because of runs claimed ahead that were just dropped fires again from the first of them.
    const current = job.nextRunAt ?? (earliestDropped && this.computeNextRun(job, now, earliestDropped));
    if (!current || current <= now) return current;
    const next = this.computeNextRun(job, now, current);
    return next && next < current ? next : withinLimits(current, job);
  }

  /** A deleted channel: jobs that named it stop naming it (in the channel's delete transaction). */
  async forgetChannel(tx: EntityManager, channelId: number): Promise<void> {
    const ids = await this.jobs.dropChannel(tx, channelId);
    for (const id of ids) await this.jobs.notifyChanged(tx, id);
  }

  /** Whether a job with this id exists. */
  async exists(id: number): Promise<boolean> {
    return (await this.jobs.findById(id)) !== null;
  }

  /** The job, locked for the rest of `tx` (a manual run is recorded under this lock); JOB_NOT_FOUND if none. */
  async lockForRun(tx: EntityManager, id: number): Promise<Job> {
    const job = await this.jobs.findByIdForUpdate(id, tx);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  /** Every queue some job uses, and `default`, sorted: the queues a worker without WORKER_QUEUES consumes. */
  async queues(): Promise<string[]> {
    return [...new Set(['default', ...(await this.jobs.queues())])].sort();
  }

  /** The job's type (a label of the run metrics), or null when it is gone. */
  jobTypeOf(id: number): Promise<JobType | null> {
    return this.jobs.jobTypeOf(id);
  }

  private async require(id: number): Promise<Job> {
    const job = await this.jobs.findById(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  private transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return jobsTransaction(this.dataSource, work);
  }
}

/** Runs `work` in one transaction; a unique violation on the name (a race) becomes a 409. */
export async function jobsTransaction<T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await dataSource.transaction(work);
  } catch (error) {
    if (error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === '23505') {
      throw new JobNameTakenError();
    }
    throw error;
  }
}

function duplicateName(name: string): JobNameTakenError {
  return new JobNameTakenError(name);
}

function applyUpdate(job: Job, dto: UpdateJobDto): void {
  const set = <K extends keyof Job>(key: K, value: Job[K] | undefined) => {
    if (value !== undefined) job[key] = value;
  };
  set('name', dto.name);
  set('title', dto.title);
  if (dto.description !== undefined) job.description = dto.description;
  set('jobType', dto.job_type);
  set('scheduleType', dto.schedule_type);
  set('scheduleExpression', dto.schedule_expression);
  set('timezone', dto.timezone);
  set('taskName', dto.task_name);
  set('taskArgs', dto.task_args);
  // Answers show credentials as "***": sending one back keeps the stored value.
  set('taskKwargs', dto.task_kwargs && keepRedacted(dto.task_kwargs, job.taskKwargs));
  set('taskQueue', dto.task_queue);
  set('taskPriority', dto.task_priority);
  set('timeoutSeconds', dto.timeout_seconds);
  set('maxRetries', dto.max_retries);
  set('retryBackoffSeconds', dto.retry_backoff_seconds);
  set('misfirePolicy', dto.misfire_policy);
  set('overlapPolicy', dto.overlap_policy);
  set('isEnabled', dto.is_enabled);
  set('status', dto.status);
  set('config', dto.config && keepRedacted(dto.config, job.config));
  set('metadata', dto.metadata && keepRedacted(dto.metadata, job.metadata));
  set('notifyChannelIds', dto.notify_channel_ids && [...new Set(dto.notify_channel_ids)]);
  set('notifyOn', dto.notify_on);
  set('tags', dto.tags);
  if (dto.start_at !== undefined) job.startAt = dto.start_at === null ? null : new Date(dto.start_at);
  if (dto.end_at !== undefined) job.endAt = dto.end_at === null ? null : new Date(dto.end_at);
  if (dto.max_runs !== undefined) job.maxRuns = dto.max_runs;
  set('jitterSeconds', dto.jitter_seconds);
}

/** A new job's active window, checked. */
function windowOf(dto: CreateJobDto): { startAt: Date | null; endAt: Date | null } {
  const startAt = dto.start_at ? new Date(dto.start_at) : null;
  const endAt = dto.end_at ? new Date(dto.end_at) : null;
  checkWindow(startAt, endAt);
  return { startAt, endAt };
}

/** start_at must come before end_at when both are set. */
function checkWindow(startAt: Date | null, endAt: Date | null): void {
  if (startAt && endAt && startAt >= endAt) throw new InvalidJobWindowError();
}

/** paused_reason, paused_by, paused_at for a job entering `status` (all null for active). */
export function pausedState(
  status: JobStatus,
  actor: Actor,
  reason: string | null,
  at = new Date(),
): Pick<Job, 'pausedReason' | 'pausedBy' | 'pausedAt'> {
  return status === 'paused'
    ? { pausedReason: reason, pausedBy: actor.name.slice(0, 150), pausedAt: at }
    : { pausedReason: null, pausedBy: null, pausedAt: null };
}
