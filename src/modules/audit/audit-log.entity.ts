import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `{field: {before, after}}` for the fields a change touched; secrets are never stored. */
export type AuditChanges = Record<string, { before: unknown; after: unknown }>;

@Entity('audit_logs')
@Index('idx_audit_logs_at', ['at'])
@Index('idx_audit_logs_actor', ['actor'])
@Index('idx_audit_logs_action', ['action'])
@Index('idx_audit_logs_entity', ['entityType', 'entityId'])
export class AuditLog {
  @PrimaryGeneratedColumn()
  id: number;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'varchar', length: 150 })
  actor: string;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'entity_type', type: 'varchar', length: 64 })
  entityType: string;

  @Column({ name: 'entity_id', type: 'varchar', length: 100, nullable: true })
  entityId: string | null;

  @Column({ type: 'jsonb', default: {} })
  changes: AuditChanges;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;
}
