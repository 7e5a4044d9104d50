import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, ValidateNested } from 'class-validator';
import { OptionalNotNull } from '../../../common/validation';
import { CreateJobDto } from './create-job.dto';

/** Most job definitions one apply takes. */
export const MAX_APPLY_JOBS = 1000;

export class ApplyJobsDto {
  @ApiProperty({
    type: [CreateJobDto],
    maxItems: MAX_APPLY_JOBS,
    description:
      'Job definitions, each exactly as the body of POST /jobs/, matched to jobs by `name`; a field left out ' +
      'means its default. `status` (runtime state) changes only when given',
  })
  // Cut before the items are converted: a longer list is refused (ArrayMaxSize) after 1,001 of them, not all.
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.slice(0, MAX_APPLY_JOBS + 1) : value))
  @IsArray({ message: 'jobs must be an array of job definitions' })
  @ArrayMaxSize(MAX_APPLY_JOBS, { message: `jobs must hold at most ${MAX_APPLY_JOBS} job definitions` })
  @ValidateNested({ each: true })
  @Type(() => CreateJobDto)
  jobs: CreateJobDto[];

  @ApiPropertyOptional({ default: false, example: false, description: 'Answer what would change, change nothing' })
  @OptionalNotNull()
  @IsBoolean({ message: 'dry_run must be true or false' })
  dry_run?: boolean;

  @ApiPropertyOptional({ default: false, example: false, description: 'Also delete every job the list does not name' })
  @OptionalNotNull()
  @IsBoolean({ message: 'prune must be true or false' })
  prune?: boolean;
}

/** What an apply did (or, with dry_run, would do): job names. */
export class ApplyJobsResultDto {
  @ApiProperty({ type: [String], example: ['nightly_report'], description: 'Jobs created, in the order of the list' })
  created: string[];

  @ApiProperty({
    type: [String],
    example: ['weekly_digest'],
    description: 'Jobs changed to their definition, in the order of the list',
  })
  updated: string[];

  @ApiProperty({
    type: [String],
    example: ['system_health_check', 'document_cleanup'],
    description: 'Jobs that already were as defined: not written, not audited',
  })
  unchanged: string[];

  @ApiProperty({ type: [String], example: [], description: 'Jobs deleted by prune, by name' })
  deleted: string[];
}

/** A file of definitions as `jobs export` writes it and `jobs apply -f` reads it: `jobs` alone (the flags are options). */
export class JobDefinitionsFileDto extends OmitType(ApplyJobsDto, ['dry_run', 'prune'] as const) {}
