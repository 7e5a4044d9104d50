import { ApiProperty } from '@nestjs/swagger';
import { MISFIRE_POLICIES, SCHEDULE_TYPES } from '../../schedules/schedule.types';
import { JOB_STATUSES, JOB_TYPES, OVERLAP_POLICIES, type Job } from '../job.entity';
import { PageMetaDto } from '../../../common/page-meta.dto';
import { redactValue } from '../../../common/logging/redaction';
import { NOTIFY_EVENTS } from '../../channels/notification-delivery.entity';

export class JobResponseDto {
  id: number;
  name: string;
  title: string;
  description: string | null;
  @ApiProperty({ enum: JOB_TYPES })
  job_type: string;
  @ApiProperty({ enum: SCHEDULE_TYPES })
  schedule_type: string;
  schedule_expression: string;
  timezone: string;
  task_name: string;
  @ApiProperty({ type: 'array', items: {} })
  task_args: unknown[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Credentials (values under credential-like keys, URL query credentials and passwords) are shown as "***" to every caller; `{"$secret": "NAME"}` references are shown as sent',
  })
  task_kwargs: Record<string, unknown>;
  task_queue: string;
  task_priority: number;
  timeout_seconds: number;
  max_retries: number;
  retry_backoff_seconds: number;
  @ApiProperty({ enum: MISFIRE_POLICIES })
  misfire_policy: string;
  @ApiProperty({ enum: OVERLAP_POLICIES })
  overlap_policy: string;
  is_enabled: boolean;
  @ApiProperty({ enum: JOB_STATUSES })
  status: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  next_run_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_run_at: string | null;
  @ApiProperty({ type: String, nullable: true })
  last_run_status: string | null;
  total_runs: number;
  successful_runs: number;
  failed_runs: number;
  /** Share of finished runs that succeeded, 0–100 (null before the first finished run). */
  @ApiProperty({ type: Number, nullable: true })
  success_rate: number | null;
  @ApiProperty({ type: Number, nullable: true })
  avg_duration_seconds: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true })
  config: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;
  @ApiProperty({ type: [String] })
  tags: string[];
  @ApiProperty({ type: String, nullable: true, description: 'Why it was paused (null while active)' })
  paused_reason: string | null;
  @ApiProperty({ type: String, nullable: true })
  paused_by: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  paused_at: string | null;
  @ApiProperty({ type: [Number], description: 'Channels its alerts go to; empty: the default channels' })
  notify_channel_ids: number[];
  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...NOTIFY_EVENTS] } })
  notify_on: string[];
  @ApiProperty({ type: String, nullable: true })
  created_by: string | null;
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;
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
      notify_channel_ids: job.notifyChannelIds,
      notify_on: job.notifyOn,
      created_by: job.createdBy,
      created_at: job.createdAt.toISOString(),
      updated_at: job.updatedAt.toISOString(),
    };
  }
}

export class JobPageDto extends PageMetaDto {
  @ApiProperty({ type: [JobResponseDto] })
  items: JobResponseDto[];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
