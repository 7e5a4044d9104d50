import { PageQuery } from '../../../common/page.query';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, MaxLength } from 'class-validator';

export class ListAuditLogsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'admin' })
  @IsOptional()
  @IsString()
  @MaxLength(150)
  actor?: string;

  @ApiPropertyOptional({ example: 'job.update' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ example: 'job' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  entity_type?: string;

  @ApiPropertyOptional({ example: '42' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entity_id?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Entries at or after this time' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Entries at or before this time' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;
}
