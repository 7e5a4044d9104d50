import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { UserActivityDigest } from './user-activity-digest.entity';

export interface ActorActivity {
  actor: string;
  total: number;
  actions: Record<string, number>;
}

/** Reads audit activity and stores the per-user digests. */
@Injectable()
export class UserActivityDigestsRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(UserActivityDigest) private readonly digests: Repository<UserActivityDigest>,
  ) {}

  /** Audit entries per actor and action in [from, to), busiest actor first. */
  async countAuditActionsByActor(from: Date, to: Date): Promise<ActorActivity[]> {
    const rows: { actor: string; action: string; n: string }[] = await this.dataSource.query(
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

  /** Replaces the digests of one period (a re-run of the same period overwrites, never duplicates). */
  async replacePeriod(from: Date, to: Date, activity: ActorActivity[]): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(UserActivityDigest);
      await repo.delete({ periodStart: from, periodEnd: to });
      if (activity.length === 0) return;
      await repo.insert(
        activity.map((a) => ({
          periodStart: from,
          periodEnd: to,
          actor: a.actor,
          totalActions: a.total,
          actions: a.actions,
        })),
      );
    });
  }

  findByPeriod(from: Date, to: Date): Promise<UserActivityDigest[]> {
    return this.digests.find({
      where: { periodStart: from, periodEnd: to },
      order: { totalActions: 'DESC', actor: 'ASC' },
    });
  }
}
