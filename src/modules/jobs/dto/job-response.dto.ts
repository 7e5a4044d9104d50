import { ApiProperty } from '@nestjs/swagger';
import { MISFIRE_POLICIES, SCHEDULE_TYPES } from '../../schedules/schedule.types';
import { JOB_STATUSES, JOB_TYPES, OVERLAP_POLICIES, type Job } from '../job.entity';
import { PageMetaDto } from '../../../common/page-meta.dto';
import { redactValue } from '../../../common/logging/redaction';
import { NOTIFY_EVENTS } from '../../channels/notification-delivery.entity';
import { remainingRuns } from '../job-window';

export class JobResponseDto {
  /**
   * The job id
   * @example 42
   */
  id: number;
  /**
   * Unique slug: lowercase letters, digits, `_`, `.`, `-`
   * @example nightly_report
   */
  name: string;
  /**
   * Human-readable title
   * @example "Nightly report"
   */
  title: string;
  /**
   * Free text (null: none)
   * @example "Builds the daily sales report and posts it to the reporting hook"
   */
  description: string | null;
  /**
   * What kind of job it is; `custom` runs a code-registered handler or http.request
   * @example custom
   */
  @ApiProperty({ enum: JOB_TYPES })
  job_type: string;
  /**
   * How schedule_expression is read
   * @example cron
   */
  @ApiProperty({ enum: SCHEDULE_TYPES })
  schedule_type: string;
  /**
   * Interval minutes (`N`), `HH:MM` (daily), `D:HH:MM` (weekly, monthly) or a cron expression
   * @example "0 2 * * *"
   */
  schedule_expression: string;
  /**
   * IANA time zone the schedule is read in
   * @example Europe/Berlin
   */
  timezone: string;
  /**
   * The task handler it runs (GET /api/v1/tasks)
   * @example http.request
   */
  task_name: string;
  /** Positional arguments given to the task */
  @ApiProperty({ type: 'array', items: {}, example: [] })
  task_args: unknown[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { url: 'https://example.com/hook', method: 'POST', headers: { authorization: '***' } },
    description:
      'Keyword arguments given to the task. Credentials (values under credential-like keys, URL query credentials and passwords) are shown as "***" to every caller; `{"$secret": "NAME"}` references are shown as sent',
  })
  task_kwargs: Record<string, unknown>;
  /**
   * The queue its runs go to (workers choose queues with WORKER_QUEUES)
   * @example default
   */
  task_queue: string;
  /**
   * 1–10; higher runs first
   * @example 5
   */
  task_priority: number;
  /**
   * A run still going after this many seconds ends timed_out
   * @example 3600
   */
  timeout_seconds: number;
  /**
   * Retries after a failed or timed-out attempt
   * @example 2
   */
  max_retries: number;
  /**
   * Delay before the first retry, doubled for each further one
   * @example 60
   */
  retry_backoff_seconds: number;
  /**
   * Fire times missed while nothing ran: run_once (one catch-up run), skip, or run_all (each, capped)
   * @example run_once
   */
  @ApiProperty({ enum: MISFIRE_POLICIES })
  misfire_policy: string;
  /**
   * A fire time while the previous run is still going: skip (recorded as skipped), allow, queue or replace
   * @example skip
   */
  @ApiProperty({ enum: OVERLAP_POLICIES })
  overlap_policy: string;
  /**
   * A disabled job is never dispatched (separate from status)
   * @example true
   */
  is_enabled: boolean;
  /**
   * active, or paused (not dispatched until resumed)
   * @example active
   */
  @ApiProperty({ enum: JOB_STATUSES })
  status: string;
  /**
   * The next fire time; null while it cannot run (disabled, paused, nothing left to fire)
   * @example 2026-12-01T02:00:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  next_run_at: string | null;
  /**
   * When its last run started (null: never ran)
   * @example 2026-11-30T02:00:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_run_at: string | null;
  /**
   * The status of its last finished run (null: none yet)
   * @example succeeded
   */
  @ApiProperty({ type: String, nullable: true })
  last_run_status: string | null;
  /**
   * Runs that finished, whatever the outcome
   * @example 120
   */
  total_runs: number;
  /**
   * Runs that succeeded
   * @example 118
   */
  successful_runs: number;
  /**
   * Runs that failed or timed out
   * @example 2
   */
  failed_runs: number;
  /**
   * Share of finished runs that succeeded, 0–100 (null before the first finished run).
   * @example 98.33
   */
  @ApiProperty({ type: Number, nullable: true })
  success_rate: number | null;
  /**
   * Average duration of its finished runs (null before the first)
   * @example 4.217
   */
  @ApiProperty({ type: Number, nullable: true })
  avg_duration_seconds: number | null;
  /** Free-form settings for tools and people; the scheduler does not read them */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { report: 'sales' } })
  config: Record<string, unknown>;
  /** Free-form labels and notes; the scheduler does not read them */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { owner: 'data-team' } })
  metadata: Record<string, unknown>;
  /** Labels to find the job by (GET /api/v1/jobs?tag=…) */
  @ApiProperty({ type: [String], example: ['reports', 'team:data'] })
  tags: string[];
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why it was paused (null while active)' })
  paused_reason: string | null;
  /** Who paused it (null while active) */
  @ApiProperty({ type: String, nullable: true, example: null })
  paused_by: string | null;
  /** When it was paused (null while active) */
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  paused_at: string | null;
  /**
   * No fire time before this instant (null: none)
   * @example 2026-01-01T00:00:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  start_at: string | null;
  /**
   * No fire time at or after this instant (null: no end)
   * @example 2027-01-01T00:00:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  end_at: string | null;
  /**
   * At most this many scheduled runs ever (null: unlimited)
   * @example 365
   */
  @ApiProperty({ type: Number, nullable: true })
  max_runs: number | null;
  /** @example 245 */
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Scheduled runs it may still record (max_runs minus those recorded); null when unlimited',
  })
  remaining_runs: number | null;
  /**
   * Scheduled runs start a deterministic offset in [0, jitter_seconds) after their fire time
   * @example 30
   */
  jitter_seconds: number;
  @ApiProperty({ type: [Number], example: [3], description: 'Channels its alerts go to; empty: the default channels' })
  notify_channel_ids: number[];
  /** Events that send an alert to its channels */
  @ApiProperty({
    type: 'array',
    items: { type: 'string', enum: [...NOTIFY_EVENTS] },
    example: ['run.failed', 'run.timed_out'],
  })
  notify_on: string[];
  /**
   * Who created it (`cli:<os user>` from the CLI; null for the default jobs)
   * @example admin
   */
  @ApiProperty({ type: String, nullable: true })
  created_by: string | null;
  /**
   * When it was created
   * @example 2026-01-15T09:30:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;
  /**
   * When it last changed
   * @example 2026-11-30T10:15:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  updated_at: string;

  static from(job: Job): JobResponseDto {
    const finished = job.successfulRuns + job.failedRuns;
    return {
      id: job.id,
      name: job.name,
      title: job.title,
      description: job.description,
      job_type: job.jobType,
      schedule_type: job.scheduleType,
      schedule_expression: job.scheduleExpression,
      timezone: job.timezone,
      task_name: job.taskName,
      task_args: job.taskArgs,
      task_kwargs: redactValue(job.taskKwargs),
      task_queue: job.taskQueue,
      task_priority: job.taskPriority,
      timeout_seconds: job.timeoutSeconds,
      max_retries: job.maxRetries,
      retry_backoff_seconds: job.retryBackoffSeconds,
      misfire_policy: job.misfirePolicy,
      overlap_policy: job.overlapPolicy,
      is_enabled: job.isEnabled,
      status: job.status,
      next_run_at: job.nextRunAt?.toISOString() ?? null,
      last_run_at: job.lastRunAt?.toISOString() ?? null,
      last_run_status: job.lastRunStatus,
      total_runs: job.totalRuns,
      successful_runs: job.successfulRuns,
      failed_runs: job.failedRuns,
      success_rate: finished === 0 ? null : round((job.successfulRuns / finished) * 100, 2),
      avg_duration_seconds: finished === 0 ? null : round(job.totalDurationSeconds / finished, 3),
      config: redactValue(job.config),
      metadata: redactValue(job.metadata),
      tags: job.tags,
      paused_reason: job.pausedReason,
      paused_by: job.pausedBy,
      paused_at: job.pausedAt?.toISOString() ?? null,
      start_at: job.startAt?.toISOString() ?? null,
      end_at: job.endAt?.toISOString() ?? null,
      max_runs: job.maxRuns,
      remaining_runs: remainingRuns(job),
      jitter_seconds: job.jitterSeconds,
      notify_channel_ids: job.notifyChannelIds,
      notify_on: job.notifyOn,
      created_by: job.createdBy,
      created_at: job.createdAt.toISOString(),
      updated_at: job.updatedAt.toISOString(),
    };
  }
}

export class JobPageDto extends PageMetaDto {
  /** The jobs of this page */
  @ApiProperty({ type: [JobResponseDto] })
  items: JobResponseDto[];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
