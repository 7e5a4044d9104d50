import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { OptionalNotNull } from '../../../common/validation';
import { DEFAULT_TIMEZONE, SCHEDULE_TYPES } from '../schedule.types';

/*
 * The schedule fields of a request body (CreateJobDto, hence UpdateJobDto, and ValidateScheduleDto):
 * each field's validation and OpenAPI description, declared once.
 *
 * Property decorators rather than a base class: each body keeps its own field order, which is
 * the order of its OpenAPI properties and `required` list and of the lines of a 400.
 * minLength/maxLength are stated in the OpenAPI options because the Swagger CLI plugin reads
 * @Length only when it is written on the property itself.
 */

const EXPRESSION_LENGTH = { min: 1, max: 200 };
/** As the jobs.timezone column. */
const TIMEZONE_LENGTH = { min: 1, max: 64 };

/** `schedule_type`: required, one of SCHEDULE_TYPES. */
export const ScheduleTypeField = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      enum: SCHEDULE_TYPES,
      example: 'cron',
      description: 'How schedule_expression is read: interval, daily, weekly, monthly or cron',
    }),
    IsIn(SCHEDULE_TYPES, { message: `schedule_type must be one of: ${SCHEDULE_TYPES.join(', ')}` }),
  );

/**
 * `schedule_expression`: required, 1–200 characters; its meaning is checked by the parser.
 * `example` fits the body it documents (a cron expression, as schedule_type's example).
 */
export const ScheduleExpressionField = (example: string): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      minLength: EXPRESSION_LENGTH.min,
      maxLength: EXPRESSION_LENGTH.max,
      example,
      description:
        'interval `N` minutes, daily `HH:MM`, weekly `D:HH:MM` (0 = Monday), monthly `D:HH:MM`, or a cron expression',
    }),
    IsString(),
    Length(EXPRESSION_LENGTH.min, EXPRESSION_LENGTH.max),
  );

/** `timezone`: optional but not null, DEFAULT_TIMEZONE when absent; whether the zone exists is checked by the parser. */
export const TimezoneField = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      minLength: TIMEZONE_LENGTH.min,
      maxLength: TIMEZONE_LENGTH.max,
      example: 'Europe/Berlin',
      default: DEFAULT_TIMEZONE,
      description: 'IANA time zone the schedule is read in',
    }),
    OptionalNotNull(),
    IsString(),
    Length(TIMEZONE_LENGTH.min, TIMEZONE_LENGTH.max),
  );
