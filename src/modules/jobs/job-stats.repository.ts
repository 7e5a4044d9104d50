import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DUE_JOB_SQL } from './job.entity';

export interface CountRow {
  key: string;
  n: number;
}

export interface JobCounts {
  byStatus: CountRow[];
  byType: CountRow[];
  byEnabled: CountRow[];
  overdue: number;
  total: number;
  runs: { total: number; succeeded: number; failed: number; durationSum: number };
}

/**
 * The jobs' statistics: counts by status, type and enabled flag from `job_counts`, the per-job
 * run counters summed over all jobs from `job_run_totals` (both kept exact by triggers on jobs,
 * migrations JobCounts and OverviewAggregates), the overdue count.
 */
@Injectable()
export class JobStatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Jobs by status, type and enabled flag from `job_counts`, the run counters summed over the
   * few shards of `job_run_totals`, and the overdue count through the due index; concurrently.
   */
  async jobCounts(graceSeconds: number): Promise<JobCounts> {
    const [rows, [sums], overdue]: [
      { status: string | null; job_type: string | null; enabled: string | null; grouping: number; n: number }[],
      { total: string; succeeded: string; failed: string; duration: number }[],
      number,
    ] = await Promise.all([
      this.dataSource.query<
        { status: string | null; job_type: string | null; enabled: string | null; grouping: number; n: number }[]
      >(
        `SELECT status, job_type, is_enabled::text AS enabled, GROUPING(status, job_type, is_enabled) AS grouping, coalesce(sum(n), 0)::int AS n
           FROM job_counts GROUP BY GROUPING SETS ((status), (job_type), (is_enabled), ())
         HAVING sum(n) > 0 OR GROUPING(status, job_type, is_enabled) = 7`,
      ),
      this.dataSource.query<{ total: string; succeeded: string; failed: string; duration: number }[]>(
        `SELECT coalesce(sum(total_runs), 0)::bigint AS total, coalesce(sum(successful_runs), 0)::bigint AS succeeded,
                coalesce(sum(failed_runs), 0)::bigint AS failed, coalesce(sum(total_duration_seconds), 0)::float8 AS duration
           FROM job_run_totals`,
      ),
      this.countOverdue(graceSeconds),
    ]);
    // GROUPING() is a bit mask over (status, job_type, is_enabled): 1 = aggregated over.
    const set = (mask: number, key: (r: (typeof rows)[number]) => string | null) =>
      rows.filter((r) => r.grouping === mask).map((r) => ({ key: String(key(r)), n: r.n }));
    const all = rows.find((r) => r.grouping === 7);
    return {
      byStatus: set(0b011, (r) => r.status),
      byType: set(0b101, (r) => r.job_type),
      byEnabled: set(0b110, (r) => r.enabled),
      overdue,
      total: all?.n ?? 0,
      runs: {
        total: Number(sums.total),
        succeeded: Number(sums.succeeded),
        failed: Number(sums.failed),
        durationSum: Number(sums.duration),
      },
    };
  }

  /** Enabled, active jobs more than `graceSeconds` past their next fire time (through the due index). */
  async countOverdue(graceSeconds: number): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM jobs WHERE ${DUE_JOB_SQL} AND next_run_at < now() - make_interval(secs => $1::int)`,
      [graceSeconds],
    );
    return rows[0]?.n ?? 0;
  }

  /** Counts skipped runs (recorded by the dispatcher in `tx`) in their jobs' statistics. */
  async addSkippedRuns(tx: EntityManager, jobIds: number[]): Promise<void> {
    if (jobIds.length === 0) return;
    await tx.query(
      `UPDATE jobs j SET total_runs = total_runs + t.n, last_run_status = 'skipped'
         FROM (SELECT id, count(*)::int AS n FROM unnest($1::int[]) AS id GROUP BY id) t WHERE j.id = t.id`,
      [jobIds],
    );
  }
}
