import { FINAL_STATUSES_SQL } from './execution.entity';

const LAG = `EXTRACT(EPOCH FROM (e.started_at - e.scheduled_for))`;

/**
 * A SELECT of finished runs rolled up per job and UTC day of their fire time, for the days in
 * [fromDay, toDay) (SQL date expressions or parameters), with the columns `job_id, day, runs,
 * succeeded, failed, timed_out, cancelled, skipped, avg_duration_seconds, p50_duration_seconds,
 * p95_duration_seconds, avg_start_lag_seconds, p95_start_lag_seconds, updated_at`. The runs
 * module writes the SQL over its table; the analytics task (maintenance module) stores the rows.
 */
export function dailyRunRollupSql(fromDay: string, toDay: string): string {
  return `SELECT e.job_id, (e.scheduled_for AT TIME ZONE 'UTC')::date, count(*),
      count(*) FILTER (WHERE e.status = 'succeeded'), count(*) FILTER (WHERE e.status = 'failed'),
      count(*) FILTER (WHERE e.status = 'timed_out'), count(*) FILTER (WHERE e.status = 'cancelled'),
      count(*) FILTER (WHERE e.status = 'skipped'),
      avg(e.duration_seconds),
      percentile_cont(0.5) WITHIN GROUP (ORDER BY e.duration_seconds),
      percentile_cont(0.95) WITHIN GROUP (ORDER BY e.duration_seconds),
      avg(${LAG}), percentile_cont(0.95) WITHIN GROUP (ORDER BY ${LAG}),
      now()
    FROM executions e
    WHERE e.status IN ${FINAL_STATUSES_SQL}
      AND e.scheduled_for >= (${fromDay}::date)::timestamp AT TIME ZONE 'UTC'
      AND e.scheduled_for < (${toDay}::date)::timestamp AT TIME ZONE 'UTC'
    GROUP BY e.job_id, (e.scheduled_for AT TIME ZONE 'UTC')::date`;
}
