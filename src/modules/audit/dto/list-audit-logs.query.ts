import { PageQuery } from '../../../common/page.query';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsIsoDateTime } from '../../../common/iso-date-time';

export class ListAuditLogsQuery extends PageQuery {
  /**
   * Only entries by this actor (username, `cli:<os user>`, `system:<component>`)
   * @example admin
   */
  @ApiPropertyOptional({ example: 'admin' })
  @IsOptional()
  @IsString()
  @MaxLength(150)
  actor?: string;

  /**
   * Only entries of this action
   * @example job.update
   */
  @ApiPropertyOptional({ example: 'job.update' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  /**
   * Only entries about this kind of thing
   * @example job
   */
  @ApiPropertyOptional({ example: 'job' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  entity_type?: string;

  /**
   * Only entries about this id (with entity_type)
   * @example 42
   */
  @ApiPropertyOptional({ example: '42' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entity_id?: string;

  /** @example 2026-11-01T00:00:00Z */
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Entries at or after this time (ISO 8601 extended format, e.g. 2026-01-01T00:00:00Z)',
  })
  @IsOptional()
  @IsIsoDateTime()
  from?: string;

  /** @example 2026-12-01T00:00:00Z */
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Entries at or before this time (ISO 8601 extended format)',
  })
  @IsOptional()
  @IsIsoDateTime()
  to?: string;
}
