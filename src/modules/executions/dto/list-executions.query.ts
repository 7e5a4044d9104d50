import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsIsoDateTime } from '../../../common/iso-date-time';
import { PageQuery } from '../../../common/page.query';
import { RUN_STATUSES, RUN_TRIGGERS, type RunStatus, type RunTrigger } from '../execution.entity';

export class ListJobExecutionsQuery extends PageQuery {
  /**
   * Only runs with this status
   * @example failed
   */
  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES, { message: `status must be one of: ${RUN_STATUSES.join(', ')}` })
  status?: RunStatus;

  /**
   * Only runs started this way
   * @example schedule
   */
  @ApiPropertyOptional({ enum: RUN_TRIGGERS })
  @IsOptional()
  @IsIn(RUN_TRIGGERS, { message: `trigger must be one of: ${RUN_TRIGGERS.join(', ')}` })
  trigger?: RunTrigger;

  /** @example 2026-11-01T00:00:00Z */
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Runs scheduled at or after this time (ISO 8601 extended format, e.g. 2026-01-01T00:00:00Z)',
  })
  @IsOptional()
  @IsIsoDateTime()
  from?: string;

  /** @example 2026-12-01T00:00:00Z */
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Runs scheduled before this time (ISO 8601 extended format)',
  })
  @IsOptional()
  @IsIsoDateTime()
  to?: string;
}

export class ListExecutionsQuery extends ListJobExecutionsQuery {
  /**
   * Only the runs of this job
   * @example 42
   */
  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'job_id must be an integer' })
  @Min(1)
  @Max(2_147_483_647)
  job_id?: number;
}
