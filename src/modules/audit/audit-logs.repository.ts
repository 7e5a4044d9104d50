import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { PageRequest } from '../../common/pagination';
import { AuditLog } from './audit-log.entity';

/** One actor's audit actions over a period: how many in all, and per action. */
export interface ActorActivity {
  actor: string;
  total: number;
  actions: Record<string, number>;
}

export interface AuditLogFilter {
  actor?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  from?: Date;
  to?: Date;
}

/** SQL for audit entries. Inserts always go through the caller's transaction. */
@Injectable()
export class AuditLogsRepository {
  constructor(@InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>) {}

  async insert(entry: Omit<AuditLog, 'id' | 'at'>, tx: EntityManager): Promise<void> {
    const repo = tx.getRepository(AuditLog);
    await repo.save(repo.create(entry), { reload: false });
  }

  /** Newest first. */
  list(filter: AuditLogFilter, page: PageRequest): Promise<[AuditLog[], number]> {
    const qb = this.logs.createQueryBuilder('log');
    if (filter.actor) qb.andWhere('log.actor = :actor', { actor: filter.actor });
    if (filter.action) qb.andWhere('log.action = :action', { action: filter.action });
    if (filter.entityType) qb.andWhere('log.entityType = :entityType', { entityType: filter.entityType });
    if (filter.entityId) qb.andWhere('log.entityId = :entityId', { entityId: filter.entityId });
    if (filter.from) qb.andWhere('log.at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('log.at <= :to', { to: filter.to });
    return qb
      .orderBy('log.at', 'DESC')
      .addOrderBy('log.id', 'DESC')
      .skip((page.page - 1) * page.size)
      .take(page.size)
      .getManyAndCount();
  }

  /** Audit entries per actor and action in [from, to), busiest actor first. */
  async countActionsByActor(from: Date, to: Date): Promise<ActorActivity[]> {
    const rows: { actor: string; action: string; n: string }[] = await this.logs.query(
      `SELECT actor, action, count(*) AS n FROM audit_logs WHERE at >= $1 AND at < $2 GROUP BY actor, action ORDER BY actor, action`,
      [from, to],
    );
    const byActor = new Map<string, ActorActivity>();
    for (const row of rows) {
      const entry = byActor.get(row.actor) ?? { actor: row.actor, total: 0, actions: {} };
      entry.actions[row.action] = Number(row.n);
      entry.total += Number(row.n);
      byActor.set(row.actor, entry);
    }
    return [...byActor.values()].sort((a, b) => b.total - a.total || a.actor.localeCompare(b.actor));
  }
}
