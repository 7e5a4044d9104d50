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

export type JobListFilter = Omit<JobFilter, 'dueBefore'> & { overdue?: boolean };

/** Fields whose change means the next fire time must be computed again. */
const SCHEDULING_FIELDS = ['schedule_type', 'schedule_expression', 'timezone', 'is_enabled', 'status'] as const;
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
    const spec = this.schedules.validate({
      type: dto.schedule_type,
      expression: dto.schedule_expression,
      timezone: dto.timezone ?? JOB_DEFAULTS.timezone,
    });
    this.tasks.validateKwargs(dto.task_name, dto.task_kwargs ?? {});
    return this.transaction(async (tx) => {
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
    });
  }

  async update(id: number, dto: UpdateJobDto, actor: Actor): Promise<JobResponseDto> {
    return this.transaction(async (tx) => {
      const job = await this.jobs.findByIdForUpdate(id, tx);
      if (!job) throw new JobNotFoundError(id);
      const before = JobResponseDto.from(job);
      if (dto.name !== undefined && dto.name !== job.name && (await this.jobs.findByName(dto.name, tx)))
        throw duplicateName(dto.name);
      if (dto.notify_channel_ids) await this.channels.requireChannels(dto.notify_channel_ids, 'notify_channel_ids', tx);
      const wasStatus = job.status;
      applyUpdate(job, dto);
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
      const now = new Date();
      if (SCHEDULING_FIELDS.some((field) => dto[field] !== undefined)) job.nextRunAt = this.computeNextRun(job, now);
      else job.nextRunAt = this.reclaimFrom(job, now);
      const updated = JobResponseDto.from(await this.jobs.save(job, tx));
      await this.jobs.notifyChanged(tx, id);
      await announceJobChanged(this.events, { tx, jobId: id });
      await this.audit.record(tx, {
        actor,
        action: 'job.update',
        entityType: 'job',
        entityId: id,
        changes: changesBetween(before, updated, { ignore: UNAUDITED }),
      });
      return updated;
    });
  }

  async delete(id: number, actor: Actor): Promise<void> {
    await this.transaction(async (tx) => {
      const job = await this.jobs.findByIdForUpdate(id, tx);
      if (!job) throw new JobNotFoundError(id);
      await this.jobs.delete(id, tx);
      await this.jobs.notifyChanged(tx, id);
      await this.audit.record(tx, {
        actor,
        action: 'job.delete',
        entityType: 'job',
        entityId: id,
        changes: changesBetween(JobResponseDto.from(job), null, { ignore: UNAUDITED }),
      });
    });
  }

  /** Null while the job cannot run (disabled or paused). */
  computeNextRun(job: Job, after: Date, anchor?: Date | null): Date | null {
    if (!job.isEnabled || job.status !== 'active') return null;
    return this.schedules.nextRunAt(
      { type: job.scheduleType, expression: job.scheduleExpression, timezone: job.timezone },
      after,
      anchor,
    );
  }

  /**
   * next_run_at after a change that keeps the schedule: back to the first fire time after `now`,
   * so the fire times whose runs were claimed ahead (and dropped with the change) are claimed
   * again under the new definition; a next_run_at already due stays (the misfire policy decides).
   */
  private reclaimFrom(job: Job, now: Date): Date | null {
    if (!job.nextRunAt || job.nextRunAt <= now) return job.nextRunAt;
    const next = this.computeNextRun(job, now, job.nextRunAt);
    return next && next < job.nextRunAt ? next : job.nextRunAt;
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

  /** Runs `work` in one transaction; a unique violation on the name (a race) becomes a 409. */
  private async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === '23505') {
        throw new JobNameTakenError();
      }
      throw error;
    }
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
