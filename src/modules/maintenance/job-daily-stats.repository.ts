import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dailyRunRollupSql } from '../executions/run-rollup-sql';

export interface DailyStatsRow {
  job_id: number;
  day: string;
  runs: number;
  succeeded: number;
  failed: number;
  timed_out: number;
  cancelled: number;
  skipped: number;
  avg_duration_seconds: number | null;
  p50_duration_seconds: number | null;
  p95_duration_seconds: number | null;
  avg_start_lag_seconds: number | null;
  p95_start_lag_seconds: number | null;
}

/** The per-job, per-day roll-up of finished runs. */
@Injectable()
export class JobDailyStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Recomputes the days in [fromDay, toDay) from the runs' roll-up (written by the runs module)
   * in one transaction: the window's rows are replaced, so a re-run gives the same answer and
   * pruned runs drop out.
   */
  async recomputeDays(fromDay: string, toDay: string): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`DELETE FROM job_daily_stats WHERE day >= $1::date AND day < $2::date`, [fromDay, toDay]);
      const rows: { n: string }[] = await tx.query(
        `WITH written AS (
           INSERT INTO job_daily_stats (job_id, day, runs, succeeded, failed, timed_out, cancelled, skipped,
             avg_duration_seconds, p50_duration_seconds, p95_duration_seconds, avg_start_lag_seconds, p95_start_lag_seconds, updated_at)
           ${dailyRunRollupSql('$1', '$2')}
           RETURNING 1
         ) SELECT count(*) AS n FROM written`,
        [fromDay, toDay],
      );
      return Number(rows[0].n);
    });
  }

  async findDays(fromDay: string, toDay: string): Promise<DailyStatsRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT job_id, to_char(day, 'YYYY-MM-DD') AS day, runs, succeeded, failed, timed_out, cancelled, skipped,
         avg_duration_seconds, p50_duration_seconds, p95_duration_seconds, avg_start_lag_seconds, p95_start_lag_seconds
       FROM job_daily_stats WHERE day >= $1::date AND day < $2::date ORDER BY day, job_id`,
      [fromDay, toDay],
    );
    return rows.map((r) => r as unknown as DailyStatsRow);
  }
}
