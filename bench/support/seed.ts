import type { Client } from 'pg';
import { JOB_TYPES } from '../../src/modules/jobs/job.entity';

export interface JobSeed {
  count: number;
  scheduleType: 'interval' | 'cron';
  expression: string;
  /** SQL expression for next_run_at (e.g. `now() - interval '30 seconds'`), or null. */
  nextRunAt: string;
  isEnabled?: boolean;
  taskName?: string;
  taskKwargs?: Record<string, unknown>;
  taskQueue?: string;
  overlapPolicy?: 'skip' | 'allow' | 'queue';
}

/** Inserts `count` jobs in one statement (names bench_000001…, types cycling through JOB_TYPES). */
export async function seedJobs(client: Client, seed: JobSeed): Promise<void> {
  await client.query(
    `INSERT INTO jobs (name, title, description, job_type, schedule_type, schedule_expression, task_name, task_kwargs,
                       task_queue, is_enabled, overlap_policy, next_run_at, created_by)
     SELECT 'bench_' || lpad(i::text, 7, '0'), 'Bench job ' || i, 'A job seeded by the benchmarks (' || i || ')',
            ($1::text[])[1 + i % array_length($1::text[], 1)], $2, $3, $4, $5::jsonb, $6, $7, $8,
            ${seed.nextRunAt}, 'bench'
       FROM generate_series(1, $9::int) AS i`,
    [
      [...JOB_TYPES],
      seed.scheduleType,
      seed.expression,
      seed.taskName ?? 'http.request',
      JSON.stringify(seed.taskKwargs ?? {}),
      seed.taskQueue ?? 'default',
      seed.isEnabled ?? true,
      seed.overlapPolicy ?? 'skip',
      seed.count,
    ],
  );
  await client.query('ANALYZE jobs');
}
