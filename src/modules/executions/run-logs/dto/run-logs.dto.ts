import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { RUN_LOG_LEVELS, type RunLogLine } from '../run-log-line.entity';

export const RUN_LOG_PAGE_MAX = 1000;

/** `after`: where a stream (re)starts. */
export class RunLogStreamQuery {
  /** @example 0 */
  @ApiPropertyOptional({
    minimum: 0,
    default: 0,
    description: 'Lines after this sequence number (`next_after` of the previous page; resumes a stream)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be an integer' })
  @Min(0)
  @Max(2 ** 31 - 1)
  after: number = 0;
}

export class RunLogsQuery extends RunLogStreamQuery {
  /**
   * At most this many lines, 1–1000
   * @example 200
   */
  @ApiPropertyOptional({ minimum: 1, maximum: RUN_LOG_PAGE_MAX, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(RUN_LOG_PAGE_MAX)
  limit: number = 200;
}

export class RunLogLineDto {
  /**
   * 1, 2, 3, … within the run.
   * @example 3
   */
  seq: number;
  /**
   * When it was logged
   * @example 2026-12-01T02:00:18.104Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  at: string;
  /**
   * debug, info, warn or error
   * @example info
   */
  @ApiProperty({ enum: RUN_LOG_LEVELS })
  level: string;
  /**
   * The logged message
   * @example "POST https://example.com/hook -> 200"
   */
  message: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'Structured fields logged with the line (`context`: the logger that wrote it); credentials shown as "***"',
  })
  fields: Record<string, unknown> | null;

  static from(line: RunLogLine): RunLogLineDto {
    return { seq: line.seq, at: line.at.toISOString(), level: line.level, message: line.message, fields: line.fields };
  }
}

export class RunLogPageDto {
  @ApiProperty({ type: [RunLogLineDto], description: 'Oldest first' })
  items: RunLogLineDto[];
  /**
   * Pass as `after` for the next lines (the last line's seq; `after` unchanged when there were none).
   * @example 3
   */
  next_after: number;
  /**
   * Whether the run has ended: once it has and `items` is empty, no line will follow.
   * @example true
   */
  run_finished: boolean;
}
