import { ApiProperty } from '@nestjs/swagger';
import type { AuditLog } from '../audit-log.entity';
import { PageMetaDto } from '../../../common/page-meta.dto';

export class AuditLogResponseDto {
  @ApiProperty()
  id: number;
  @ApiProperty({ type: String, format: 'date-time' })
  at: string;
  @ApiProperty({ example: 'admin', description: 'Username, `cli:<os user>` or `system:<component>`' })
  actor: string;
  @ApiProperty({ example: 'job.update' })
  action: string;
  @ApiProperty({ example: 'job' })
  entity_type: string;
  @ApiProperty({ type: String, nullable: true, example: '42' })
  entity_id: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
    example: { title: { before: 'Old', after: 'New' } },
  })
  changes: Record<string, { before: unknown; after: unknown }>;
  @ApiProperty({ type: String, nullable: true })
  ip: string | null;

  static from(log: AuditLog): AuditLogResponseDto {
    return {
      id: log.id,
      at: log.at.toISOString(),
      actor: log.actor,
      action: log.action,
      entity_type: log.entityType,
      entity_id: log.entityId,
      changes: log.changes,
      ip: log.ip,
    };
  }
}

export class AuditLogPageDto extends PageMetaDto {
  @ApiProperty({ type: [AuditLogResponseDto] })
  items: AuditLogResponseDto[];
}
