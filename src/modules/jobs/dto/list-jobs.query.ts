import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { TAG_MESSAGE, TAG_PATTERN } from '../job-tags';
import { PageQuery } from '../../../common/page.query';
import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from '../job.entity';

export const JOB_SORT_FIELDS = ['name', 'created_at', 'next_run_at', 'last_run_at', 'id'] as const;
const SORT_VALUES = JOB_SORT_FIELDS.flatMap((f) => [f, `-${f}`]);

/** Query strings arrive as text: "true"/"false" become booleans, anything else stays and fails validation. */
export const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListJobsQuery extends PageQuery {
  /**
   * Only jobs with this status
   * @example active
   */
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES, { message: `status must be one of: ${JOB_STATUSES.join(', ')}` })
  status?: JobStatus;

  /**
   * Only enabled (true) or disabled (false) jobs
   * @example true
   */
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'is_enabled must be true or false' })
  is_enabled?: boolean;

  /**
   * Only jobs of this type
   * @example custom
   */
  @ApiPropertyOptional({ enum: JOB_TYPES })
  @IsOptional()
  @IsIn(JOB_TYPES, { message: `job_type must be one of: ${JOB_TYPES.join(', ')}` })
  job_type?: JobType;

  /** @example true */
  @ApiPropertyOptional({
    type: Boolean,
    description: 'true: only enabled, active jobs whose next run is more than OVERDUE_GRACE_SECONDS late',
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({
    type: [String],
    description: 'Jobs carrying every tag given (repeat the parameter: ?tag=a&tag=b)',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray({ message: 'tag must be a tag (repeat the parameter for several)' })
  @ArrayMaxSize(20, { message: 'tag must be given at most 20 times' })
  @Matches(TAG_PATTERN, { each: true, message: TAG_MESSAGE.replace(/^tags/, 'tag') })
  tag?: string[];

  /** @example report */
  @ApiPropertyOptional({ description: 'Case-insensitive text in name, title or description' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  /** @example -next_run_at */
  @ApiPropertyOptional({ enum: SORT_VALUES, default: 'id', description: 'Field to sort by; prefix `-` for descending' })
  @IsOptional()
  @IsIn(SORT_VALUES, { message: `sort must be one of: ${SORT_VALUES.join(', ')}` })
  sort?: string;
}
