import { ApiProperty } from '@nestjs/swagger';

/** The schedule is usable: its next fire times and what it means in words. */
export class ValidScheduleResponseDto {
  /**
   * The schedule is valid
   * @example true
   */
  @ApiProperty({ enum: [true], example: true })
  valid: true;

  @ApiProperty({
    type: String,
    format: 'date-time',
    isArray: true,
    example: ['2026-01-02T09:30:00.000Z', '2026-01-03T09:30:00.000Z'],
    description: 'Fire times after `from`, UTC',
  })
  next_runs: string[];

  /** The schedule in words */
  @ApiProperty({ example: 'At 09:30, every day (UTC)' })
  description: string;
}

/** The schedule cannot be used: what is wrong and what is expected. */
export class InvalidScheduleResponseDto {
  /**
   * The schedule is not valid
   * @example false
   */
  @ApiProperty({ enum: [false], example: false })
  valid: false;

  /** What is wrong and what is expected */
  @ApiProperty({
    example:
      'schedule_expression: the hour 25 is out of range (00–23); expected HH:MM (00:00–23:59) in local time, e.g. "09:30"',
  })
  error: string;
}

export type ValidateScheduleResponseDto = ValidScheduleResponseDto | InvalidScheduleResponseDto;
