import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface CountRow {
  key: string;
  n: number;
}

/**
 * The overview's SQL. Totals come from the per-job counters (one row per job, not per
 * run); only the last-24-hours figures touch `executions`, through its finished_at index,
 * and "running/queued now" through the partial index on active runs.
 */
@Injectable()
export class JobStatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async jobCounts(graceSeconds: number): Promise<{ byStatus: CountRow[]; byType: CountRow[]; byEnabled: CountRow[]; overdue: number; total: number }> {
    const [row] = await this.dataSource.query(
      `SELECT
         (SELECT coalesce(json_agg(json_build_object('key', status, 'n', n)), '[]') FROM (SELECT status, count(*)::int n FROM jobs GROUP BY status) s) AS "byStatus",
         (SELECT coalesce(json_agg(json_build_object('key', job_type, 'n', n)), '[]') FROM (SELECT job_type, count(*)::int n FROM jobs GROUP BY job_type) s) AS "byType",
         (SELECT coalesce(json_agg(json_build_object('key', is_enabled::text, 'n', n)), '[]') FROM (SELECT is_enabled, count(*)::int n FROM jobs GROUP BY is_enabled) s) AS "byEnabled",
         (SELECT count(*)::int FROM jobs WHERE is_enabled AND status = 'active' AND next_run_at IS NOT NULL AND next_run_at < now() - make_interval(secs => $1::int)) AS overdue,
         (SELECT count(*)::int FROM jobs) AS total`,
      [graceSeconds],
    );
    return row;
  }

  async runTotals(): Promise<{ total: number; succeeded: number; failed: number; durationSum: number }> {
    const [row] = await this.dataSource.query(
      `SELECT coalesce(sum(total_runs), 0)::bigint AS total, coalesce(sum(successful_runs), 0)::bigint AS succeeded,
              coalesce(sum(failed_runs), 0)::bigint AS failed, coalesce(sum(total_duration_seconds), 0)::float8 AS "durationSum"
         FROM jobs`,
    );
    return { total: Number(row.total), succeeded: Number(row.succeeded), failed: Number(row.failed), durationSum: Number(row.durationSum) };
  }

  async lastDay(): Promise<{ byStatus: CountRow[]; p95: number | null; total: number }> {
    const [row] = await this.dataSource.query(
      `SELECT coalesce(json_agg(json_build_object('key', status, 'n', n)) FILTER (WHERE status IS NOT NULL), '[]') AS "byStatus",
              coalesce(sum(n), 0)::int AS total,
              (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_seconds)
                 FROM executions WHERE finished_at > now() - interval '24 hours' AND status IN ('succeeded', 'failed', 'timed_out')) AS p95
         FROM (SELECT status, count(*)::int n FROM executions WHERE finished_at > now() - interval '24 hours' GROUP BY status) s`,
    );
    return { byStatus: row.byStatus, total: row.total, p95: row.p95 === null ? null : Number(row.p95) };
  }

  async activeNow(): Promise<{ running: number; queued: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'running')::int AS running, count(*) FILTER (WHERE status = 'queued')::int AS queued
         FROM executions WHERE status IN ('queued', 'running')`,
    );
    return row;
  }
}
