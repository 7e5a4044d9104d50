import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { RUN_LOG_LEVELS, type RunLogLine } from '../run-log-line.entity';

export const RUN_LOG_PAGE_MAX = 1000;

/** `after`: where a stream (re)starts. */
export class RunLogStreamQuery {
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
  @ApiPropertyOptional({ minimum: 1, maximum: RUN_LOG_PAGE_MAX, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(RUN_LOG_PAGE_MAX)
  limit: number = 200;
}

export class RunLogLineDto {
  /** 1, 2, 3, … within the run. */
  seq: number;
  @ApiProperty({ type: String, format: 'date-time' })
  at: string;
  @ApiProperty({ enum: RUN_LOG_LEVELS })
  level: string;
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
  /** Pass as `after` for the next lines (the last line's seq; `after` unchanged when there were none). */
  next_after: number;
  /** Whether the run has ended: once it has and `items` is empty, no line will follow. */
  run_finished: boolean;
}
