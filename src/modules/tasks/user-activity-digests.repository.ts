import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import type { ActorActivity } from '../audit/audit.service';
import { UserActivityDigest } from './user-activity-digest.entity';

/** The per-user digests of audit activity (`user_activity_digests`). */
@Injectable()
export class UserActivityDigestsRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(UserActivityDigest) private readonly digests: Repository<UserActivityDigest>,
  ) {}

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
