import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { OptionalNotNull } from '../../../common/validation';
import { IsIsoDateTime } from '../../../common/iso-date-time';
import { TAG_MESSAGE, TAG_PATTERN } from '../job-tags';
import { NOTIFY_EVENTS, type NotifyEvent } from '../../channels/notification-delivery.entity';
import {
  ScheduleExpressionField,
  ScheduleTypeField,
  TimezoneField,
} from '../../schedules/dto/schedule-fields.decorators';
import { MISFIRE_POLICIES, type MisfirePolicy, type ScheduleType } from '../../schedules/schedule.types';
import {
  JOB_STATUSES,
  JOB_TYPES,
  OVERLAP_POLICIES,
  type JobStatus,
  type JobType,
  type OverlapPolicy,
} from '../job.entity';
import { JOB_DEFAULTS } from '../job-defaults';

export const JOB_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
export const QUEUE_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,99}$/;

export class CreateJobDto {
  @ApiProperty({
    example: 'nightly_report',
    description: 'Unique slug: lowercase letters, digits, `_`, `.`, `-`; at most 100 characters',
  })
  @IsString()
  @Matches(JOB_NAME_PATTERN, {
    message:
      'name must be a slug of 1–100 characters: lowercase letters, digits, _ . - (starting with a letter or digit)',
  })
  name: string;

  /** Human-readable title, 1–200 characters */
  @ApiProperty({ example: 'Nightly report' })
  @IsString()
  @Length(1, 200)
  title: string;

  /** Free text, at most 5000 characters (null: none) */
  @ApiPropertyOptional({ example: 'Builds the daily sales report and posts it to the reporting hook', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  /**
   * What kind of job it is; `custom` runs a code-registered handler or the http.request webhook task
   */
  @ApiProperty({ enum: JOB_TYPES, example: 'custom' })
  @IsIn(JOB_TYPES, { message: `job_type must be one of: ${JOB_TYPES.join(', ')}` })
  job_type: JobType;

  @ScheduleTypeField()
  schedule_type: ScheduleType;

  @ScheduleExpressionField('0 2 * * *')
  schedule_expression: string;

  @TimezoneField()
  timezone?: string;

  /**
   * A task handler the service knows (GET /api/v1/tasks); an unknown name is a 400 listing them
   */
  @ApiProperty({ example: 'http.request' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,200}$/, { message: 'task_name must be 1–200 letters, digits or _ . : -' })
  task_name: string;

  /** Positional arguments given to the task (at most 100) */
  @ApiPropertyOptional({ type: 'array', items: {}, default: [], example: [] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  task_args?: unknown[];

  /**
   * Keyword arguments given to the task, checked against its kwargs schema; `{"$secret": "NAME"}` anywhere references a secret
   */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    default: {},
    example: {
      url: 'https://example.com/hook',
      method: 'POST',
      headers: { authorization: { $secret: 'REPORT_HOOK_TOKEN' } },
    },
  })
  @OptionalNotNull()
  @IsObject()
  task_kwargs?: Record<string, unknown>;

  /** The queue its runs go to */
  @ApiPropertyOptional({ example: 'reports', default: JOB_DEFAULTS.task_queue })
  @OptionalNotNull()
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'task_queue must be 1–100 lowercase letters, digits or _ . -' })
  task_queue?: string;

  /** @example 5 */
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 10,
    default: JOB_DEFAULTS.task_priority,
    description: 'Higher runs first',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(10)
  task_priority?: number;

  /**
   * A run still going after this many seconds ends timed_out (its AbortSignal fires)
   * @example 3600
   */
  @ApiPropertyOptional({ minimum: 1, maximum: 604800, default: JOB_DEFAULTS.timeout_seconds })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(604800)
  timeout_seconds?: number;

  /**
   * Retries after a failed or timed-out attempt
   * @example 2
   */
  @ApiPropertyOptional({ minimum: 0, maximum: 100, default: JOB_DEFAULTS.max_retries })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(100)
  max_retries?: number;

  /**
   * Delay before the first retry, doubled for each further one
   * @example 60
   */
  @ApiPropertyOptional({ minimum: 0, maximum: 86400, default: JOB_DEFAULTS.retry_backoff_seconds })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(86400)
  retry_backoff_seconds?: number;

  /**
   * Fire times missed while nothing ran: run_once (one catch-up run), skip, or run_all (each, capped by MISFIRE_CATCHUP_MAX)
   * @example run_once
   */
  @ApiPropertyOptional({ enum: MISFIRE_POLICIES, default: JOB_DEFAULTS.misfire_policy })
  @OptionalNotNull()
  @IsIn(MISFIRE_POLICIES, { message: `misfire_policy must be one of: ${MISFIRE_POLICIES.join(', ')}` })
  misfire_policy?: MisfirePolicy;

  /**
   * A fire time while the previous run is still going: skip (recorded as skipped), allow, queue, or replace (cancels the running one)
   * @example skip
   */
  @ApiPropertyOptional({ enum: OVERLAP_POLICIES, default: JOB_DEFAULTS.overlap_policy })
  @OptionalNotNull()
  @IsIn(OVERLAP_POLICIES, { message: `overlap_policy must be one of: ${OVERLAP_POLICIES.join(', ')}` })
  overlap_policy?: OverlapPolicy;

  /**
   * A disabled job is never dispatched
   * @example true
   */
  @ApiPropertyOptional({ default: JOB_DEFAULTS.is_enabled })
  @OptionalNotNull()
  @IsBoolean()
  is_enabled?: boolean;

  /**
   * active, or paused (not dispatched until resumed)
   * @example active
   */
  @ApiPropertyOptional({ enum: JOB_STATUSES, default: JOB_DEFAULTS.status })
  @OptionalNotNull()
  @IsIn(JOB_STATUSES, { message: `status must be one of: ${JOB_STATUSES.join(', ')}` })
  status?: JobStatus;

  /** Free-form settings for tools and people; the scheduler does not read them */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {}, example: { report: 'sales' } })
  @OptionalNotNull()
  @IsObject()
  config?: Record<string, unknown>;

  /** Free-form labels and notes; the scheduler does not read them */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {}, example: { owner: 'data-team' } })
  @OptionalNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: TAG_PATTERN.source, maxLength: 64 },
    maxItems: 20,
    default: [],
    example: ['reports', 'team:data'],
    description: 'Labels to find the job by (GET /jobs/?tag=…)',
  })
  @OptionalNotNull()
  @IsArray({ message: 'tags must be an array of strings' })
  @ArrayMaxSize(20, { message: 'tags must hold at most 20 tags' })
  @ArrayUnique({ message: 'tags must not repeat a tag' })
  @Matches(TAG_PATTERN, { each: true, message: TAG_MESSAGE })
  tags?: string[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-01-01T00:00:00Z',
    description: 'No fire time before this instant (null: from now)',
  })
  @IsOptional()
  @IsIsoDateTime({ requireOffset: true })
  start_at?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2027-01-01T00:00:00Z',
    description: 'No fire time at or after this instant (null: no end); must be after start_at',
  })
  @IsOptional()
  @IsIsoDateTime({ requireOffset: true })
  end_at?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    example: 365,
    description: 'At most this many scheduled runs ever (null: unlimited); the job answers remaining_runs',
  })
  @IsOptional()
  @IsInt({ message: 'max_runs must be an integer of at least 1, or null' })
  @Min(1, { message: 'max_runs must be an integer of at least 1, or null' })
  @Max(2_147_483_647, { message: 'max_runs must be at most 2147483647' })
  max_runs?: number | null;

  /** @example 30 */
  @ApiPropertyOptional({
    default: JOB_DEFAULTS.jitter_seconds,
    minimum: 0,
    maximum: 3600,
    description:
      'Each scheduled run starts a deterministic offset in [0, jitter_seconds) after its fire time (the run answers start_after)',
  })
  @OptionalNotNull()
  @IsInt({ message: 'jitter_seconds must be an integer from 0 to 3600' })
  @Min(0, { message: 'jitter_seconds must be an integer from 0 to 3600' })
  @Max(3600, { message: 'jitter_seconds must be an integer from 0 to 3600' })
  jitter_seconds?: number;

  @ApiPropertyOptional({
    type: [Number],
    default: [],
    example: [3],
    maxItems: 20,
    description: 'Notification channels its alerts go to; empty: the channels marked is_default',
  })
  @OptionalNotNull()
  @IsArray({ message: 'notify_channel_ids must be an array of channel ids' })
  @ArrayMaxSize(20, { message: 'notify_channel_ids must name at most 20 channels' })
  @IsInt({ each: true, message: 'notify_channel_ids must hold channel ids (positive integers)' })
  @Min(1, { each: true, message: 'notify_channel_ids must hold channel ids (positive integers)' })
  @Max(2_147_483_647, { each: true, message: 'notify_channel_ids must hold channel ids (positive integers)' })
  notify_channel_ids?: number[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: [...NOTIFY_EVENTS] },
    default: [...JOB_DEFAULTS.notify_on],
    example: ['run.failed', 'run.timed_out'],
    description:
      'Events that send an alert: run.failed and run.timed_out after the last retry, run.succeeded, job.recovered (first success after a failure), job.overdue',
  })
  @OptionalNotNull()
  @IsArray({ message: `notify_on must be an array of: ${NOTIFY_EVENTS.join(', ')}` })
  @ArrayUnique({ message: 'notify_on must not repeat an event' })
  @IsIn(NOTIFY_EVENTS, { each: true, message: `notify_on must hold only: ${NOTIFY_EVENTS.join(', ')}` })
  notify_on?: NotifyEvent[];
}
