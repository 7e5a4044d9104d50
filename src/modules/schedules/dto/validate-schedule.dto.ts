import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { IsIsoDateTime } from '../../../common/iso-date-time';
import { OptionalNotNull } from '../../../common/validation';
import { SCHEDULE_TYPES, type ScheduleType } from '../schedule.types';

export const MAX_PREVIEW_COUNT = 50;

/** The body of POST /jobs/validate-schedule: a schedule as a job would have it, and what to preview. */
export class ValidateScheduleDto {
  @ApiProperty({ enum: SCHEDULE_TYPES, example: 'daily' })
  @IsIn(SCHEDULE_TYPES, { message: `schedule_type must be one of: ${SCHEDULE_TYPES.join(', ')}` })
  schedule_type: ScheduleType;

  @ApiProperty({
    example: '09:30',
    description:
      'interval `N` minutes, daily `HH:MM`, weekly `D:HH:MM` (0 = Monday), monthly `D:HH:MM`, or a cron expression',
  })
  @IsString()
  @Length(1, 200)
  schedule_expression: string;

  @ApiPropertyOptional({ example: 'UTC', default: 'UTC', description: 'IANA time zone' })
  @OptionalNotNull()
  @IsString()
  @Length(1, 64)
  timezone?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PREVIEW_COUNT,
    default: 5,
    description: 'How many next fire times to list',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_PREVIEW_COUNT)
  count: number = 5;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2026-01-01T00:00:00Z',
    description: 'List fire times strictly after this instant (default: now)',
  })
  @OptionalNotNull()
  // With an offset: without one, `from` would mean a different instant per zone.
  @IsIsoDateTime({ requireOffset: true })
  from?: string;
}
