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
    example: 'system_cleanup',
    description: 'Unique slug: lowercase letters, digits, `_`, `.`, `-`; at most 100 characters',
  })
  @IsString()
  @Matches(JOB_NAME_PATTERN, {
    message:
      'name must be a slug of 1–100 characters: lowercase letters, digits, _ . - (starting with a letter or digit)',
  })
  name: string;

  @ApiProperty({ example: 'System Cleanup Job' })
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiPropertyOptional({ example: 'Clean up temporary files and logs', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @ApiProperty({ enum: JOB_TYPES, example: 'document_cleanup' })
  @IsIn(JOB_TYPES, { message: `job_type must be one of: ${JOB_TYPES.join(', ')}` })
  job_type: JobType;

  @ScheduleTypeField()
  schedule_type: ScheduleType;

  @ScheduleExpressionField('02:00')
  schedule_expression: string;

  @TimezoneField()
  timezone?: string;

  @ApiProperty({ example: 'app.tasks.cleanup.system_cleanup' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,200}$/, { message: 'task_name must be 1–200 letters, digits or _ . : -' })
  task_name: string;

  @ApiPropertyOptional({ type: 'array', items: {}, default: [] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  task_args?: unknown[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {} })
  @OptionalNotNull()
  @IsObject()
  task_kwargs?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'maintenance', default: JOB_DEFAULTS.task_queue })
  @OptionalNotNull()
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'task_queue must be 1–100 lowercase letters, digits or _ . -' })
  task_queue?: string;

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

  @ApiPropertyOptional({ minimum: 1, maximum: 604800, default: JOB_DEFAULTS.timeout_seconds })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(604800)
  timeout_seconds?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, default: JOB_DEFAULTS.max_retries })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(100)
  max_retries?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 86400, default: JOB_DEFAULTS.retry_backoff_seconds })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(86400)
  retry_backoff_seconds?: number;

  @ApiPropertyOptional({ enum: MISFIRE_POLICIES, default: JOB_DEFAULTS.misfire_policy })
  @OptionalNotNull()
  @IsIn(MISFIRE_POLICIES, { message: `misfire_policy must be one of: ${MISFIRE_POLICIES.join(', ')}` })
  misfire_policy?: MisfirePolicy;

  @ApiPropertyOptional({ enum: OVERLAP_POLICIES, default: JOB_DEFAULTS.overlap_policy })
  @OptionalNotNull()
  @IsIn(OVERLAP_POLICIES, { message: `overlap_policy must be one of: ${OVERLAP_POLICIES.join(', ')}` })
  overlap_policy?: OverlapPolicy;

  @ApiPropertyOptional({ default: JOB_DEFAULTS.is_enabled })
  @OptionalNotNull()
  @IsBoolean()
  is_enabled?: boolean;

  @ApiPropertyOptional({ enum: JOB_STATUSES, default: JOB_DEFAULTS.status })
  @OptionalNotNull()
  @IsIn(JOB_STATUSES, { message: `status must be one of: ${JOB_STATUSES.join(', ')}` })
  status?: JobStatus;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {} })
  @OptionalNotNull()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {} })
  @OptionalNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: TAG_PATTERN.source, maxLength: 64 },
    maxItems: 20,
    default: [],
    description: 'Labels to find the job by (GET /jobs/?tag=…)',
  })
  @OptionalNotNull()
  @IsArray({ message: 'tags must be an array of strings' })
  @ArrayMaxSize(20, { message: 'tags must hold at most 20 tags' })
  @ArrayUnique({ message: 'tags must not repeat a tag' })
  @Matches(TAG_PATTERN, { each: true, message: TAG_MESSAGE })
  tags?: string[];

  @ApiPropertyOptional({
    type: [Number],
    default: [],
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
    description:
      'Events that send an alert: run.failed and run.timed_out after the last retry, run.succeeded, job.recovered (first success after a failure), job.overdue',
  })
  @OptionalNotNull()
  @IsArray({ message: `notify_on must be an array of: ${NOTIFY_EVENTS.join(', ')}` })
  @ArrayUnique({ message: 'notify_on must not repeat an event' })
  @IsIn(NOTIFY_EVENTS, { each: true, message: `notify_on must hold only: ${NOTIFY_EVENTS.join(', ')}` })
  notify_on?: NotifyEvent[];
}
