import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor';
import { toPage, type Page, type PageRequest } from '../../common/pagination';
import type { AuditChanges } from './audit-log.entity';
import { AuditLogsRepository, type ActorActivity, type AuditLogFilter } from './audit-logs.repository';

export type { ActorActivity } from './audit-logs.repository';
import { redactSecrets } from './audit-changes';
import { AuditLogResponseDto } from './dto/audit-log-response.dto';

export interface AuditEntry {
  actor: Actor;
  /** `<entity>.<verb>`, e.g. `job.update`, `auth.login_failed`. */
  action: string;
  entityType: string;
  entityId?: number | string | null;
  changes?: AuditChanges;
}

/**
 * The audit trail. `record` takes the caller's transaction on purpose: the entry commits
 * or rolls back with the change it describes, so a failed audit write undoes the change.
 */
@Injectable()
export class AuditService {
  constructor(private readonly logs: AuditLogsRepository) {}

  async record(tx: EntityManager, entry: AuditEntry): Promise<void> {
    await this.logs.insert(
      {
        actor: entry.actor.name.slice(0, 150),
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
        changes: redactSecrets(entry.changes ?? {}) as AuditChanges,
        ip: entry.actor.ip ?? null,
      },
      tx,
    );
  }

  async list(filter: AuditLogFilter, page: PageRequest): Promise<Page<AuditLogResponseDto>> {
    const [items, total] = await this.logs.list(filter, page);
    return toPage(
      items.map((item) => AuditLogResponseDto.from(item)),
      total,
      page,
    );
  }

  /** Audit entries per actor and action in [from, to), busiest actor first. */
  activityByActor(from: Date, to: Date): Promise<ActorActivity[]> {
    return this.logs.countActionsByActor(from, to);
  }
}
