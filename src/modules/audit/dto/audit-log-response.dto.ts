import { ApiProperty } from '@nestjs/swagger';
import type { AuditLog } from '../audit-log.entity';
import { PageMetaDto } from '../../../common/page-meta.dto';

export class AuditLogResponseDto {
  /**
   * The entry id
   * @example 1017
   */
  @ApiProperty()
  id: number;
  /**
   * When it happened
   * @example 2026-11-30T10:15:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  at: string;
  @ApiProperty({ example: 'admin', description: 'Username, `cli:<os user>` or `system:<component>`' })
  actor: string;
  /** What happened: `<entity>.<verb>` (job.create, job.update, user.login, …) */
  @ApiProperty({ example: 'job.update' })
  action: string;
  /** The kind of thing changed */
  @ApiProperty({ example: 'job' })
  entity_type: string;
  /** Its id (null when none, e.g. a failed login) */
  @ApiProperty({ type: String, nullable: true, example: '42' })
  entity_id: string | null;
  /** The fields changed, each with before and after (credentials as "***") */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
    example: { title: { before: 'Old', after: 'New' } },
  })
  changes: Record<string, { before: unknown; after: unknown }>;
  /**
   * The client address (null from the CLI)
   * @example 203.0.113.7
   */
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
  @ApiProperty({ type: [AuditLogResponseDto], description: 'The entries of this page, newest first' })
  items: AuditLogResponseDto[];
}
