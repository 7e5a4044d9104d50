import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { IsIsoDateTime } from '../../../common/iso-date-time';
import { OptionalNotNull } from '../../../common/validation';
import type { ScheduleType } from '../schedule.types';
import { ScheduleExpressionField, ScheduleTypeField, TimezoneField } from './schedule-fields.decorators';

export const MAX_PREVIEW_COUNT = 50;

/** The body of POST /jobs/validate-schedule: a schedule as a job would have it, and what to preview. */
export class ValidateScheduleDto {
  @ScheduleTypeField()
  schedule_type: ScheduleType;

  // The time of the response examples (ValidScheduleResponseDto).
  @ScheduleExpressionField('30 9 * * 1-5')
  schedule_expression: string;

  @TimezoneField()
  timezone?: string;

  /** @example 5 */
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
