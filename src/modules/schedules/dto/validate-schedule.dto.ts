import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, isISO8601, IsString, Length, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { OptionalNotNull } from '../../../common/validation';
import { SCHEDULE_TYPES, type ScheduleType } from '../schedule.types';

export const MAX_PREVIEW_COUNT = 50;

/** A date and a time with an offset: without one, `from` would mean a different instant per zone. */
const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** One check and one message for `from`, whatever is wrong with it (type, shape or calendar). */
const IsDateTimeWithOffset = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isDateTimeWithOffset',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && DATE_TIME_WITH_OFFSET.test(value) && isISO8601(value, { strict: true }),
        defaultMessage: () => '$property must be an ISO 8601 date-time with an offset, e.g. "2026-01-01T00:00:00Z"',
      },
    },
    options,
  );

/** The body of POST /jobs/validate-schedule: a schedule as a job would have it, and what to preview. */
export class ValidateScheduleDto {
  @ApiProperty({ enum: SCHEDULE_TYPES, example: 'daily' })
  @IsIn(SCHEDULE_TYPES, { message: `schedule_type must be one of: ${SCHEDULE_TYPES.join(', ')}` })
  schedule_type: ScheduleType;

  @ApiProperty({ example: '09:30', description: 'interval `N` minutes, daily `HH:MM`, weekly `D:HH:MM` (0 = Monday), monthly `D:HH:MM`, or a cron expression' })
  @IsString()
  @Length(1, 200)
  schedule_expression: string;

  @ApiPropertyOptional({ example: 'UTC', default: 'UTC', description: 'IANA time zone' })
  @OptionalNotNull()
  @IsString()
  @Length(1, 64)
  timezone?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PREVIEW_COUNT, default: 5, description: 'How many next fire times to list' })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_PREVIEW_COUNT)
  count: number = 5;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-01-01T00:00:00Z', description: 'List fire times strictly after this instant (default: now)' })
  @OptionalNotNull()
  @IsDateTimeWithOffset()
  from?: string;
}
