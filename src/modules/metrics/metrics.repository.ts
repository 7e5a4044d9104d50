import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DUE_JOB_SQL } from '../jobs/job.entity';

/** The few reads a scrape needs. */
@Injectable()
export class MetricsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Enabled, active jobs more than `graceSeconds` past their next fire time (as GET /jobs/overdue/list). */
  async countOverdue(graceSeconds: number): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM jobs
        WHERE ${DUE_JOB_SQL} AND next_run_at < now() - make_interval(secs => $1::int)`,
      [graceSeconds],
    );
    return rows[0]?.n ?? 0;
  }

  async jobTypeOf(jobId: number): Promise<string | null> {
    const rows: { job_type: string }[] = await this.dataSource.query(`SELECT job_type FROM jobs WHERE id = $1`, [
      jobId,
    ]);
    return rows[0]?.job_type ?? null;
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /** Every queue a job uses, and `default`. */
  async queues(): Promise<string[]> {
    const rows: { task_queue: string }[] = await this.dataSource.query(`SELECT DISTINCT task_queue FROM jobs`);
    return [...new Set(['default', ...rows.map((r) => r.task_queue)])].sort();
  }
}
