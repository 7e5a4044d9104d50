import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FINAL_STATUSES_SQL } from '../executions/execution.entity';

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

const FINISHED = FINAL_STATUSES_SQL;
const LAG = `EXTRACT(EPOCH FROM (e.started_at - e.scheduled_for))`;

/** The per-job, per-day roll-up of finished runs. */
@Injectable()
export class JobDailyStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Recomputes the days in [fromDay, toDay) from `executions` in one transaction: the window's
   * rows are replaced, so a re-run gives the same answer and pruned runs drop out.
   */
  async recomputeDays(fromDay: string, toDay: string): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`DELETE FROM job_daily_stats WHERE day >= $1::date AND day < $2::date`, [fromDay, toDay]);
      const rows: { n: string }[] = await tx.query(
        `WITH written AS (
           INSERT INTO job_daily_stats (job_id, day, runs, succeeded, failed, timed_out, cancelled, skipped,
             avg_duration_seconds, p50_duration_seconds, p95_duration_seconds, avg_start_lag_seconds, p95_start_lag_seconds, updated_at)
           SELECT e.job_id, (e.scheduled_for AT TIME ZONE 'UTC')::date, count(*),
             count(*) FILTER (WHERE e.status = 'succeeded'), count(*) FILTER (WHERE e.status = 'failed'),
             count(*) FILTER (WHERE e.status = 'timed_out'), count(*) FILTER (WHERE e.status = 'cancelled'),
             count(*) FILTER (WHERE e.status = 'skipped'),
             avg(e.duration_seconds),
             percentile_cont(0.5) WITHIN GROUP (ORDER BY e.duration_seconds),
             percentile_cont(0.95) WITHIN GROUP (ORDER BY e.duration_seconds),
             avg(${LAG}), percentile_cont(0.95) WITHIN GROUP (ORDER BY ${LAG}),
             now()
           FROM executions e
           WHERE e.status IN ${FINISHED}
             AND e.scheduled_for >= ($1::date)::timestamp AT TIME ZONE 'UTC'
             AND e.scheduled_for < ($2::date)::timestamp AT TIME ZONE 'UTC'
           GROUP BY e.job_id, (e.scheduled_for AT TIME ZONE 'UTC')::date
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
