import type { AnalyticsAggregationResult } from '../../src/modules/maintenance/analytics-aggregation.task';
import type { DatabaseMaintenanceResult } from '../../src/modules/maintenance/database-maintenance.task';
import { TaskRegistry } from '../../src/modules/tasks/task-registry.service';
import { jobBody } from '../factories/job.factory';
import { taskContext } from '../support/tasks-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

interface RunRow {
  status: string;
  scheduled: string;
  lagSeconds?: number;
  durationSeconds?: number;
  finished?: string;
}

describe('analytics_aggregation and database_maintenance tasks', () => {
  let t: TestApp;
  let registry: TaskRegistry;
  let jobA: number;
  let jobB: number;

  const insertRuns = (jobId: number, runs: RunRow[]) =>
    withClient(t.db.url, async (c) => {
      for (const r of runs) {
        const started =
          r.lagSeconds === undefined ? null : new Date(new Date(r.scheduled).getTime() + r.lagSeconds * 1000);
        const finished =
          r.finished ??
          (started && r.durationSeconds !== undefined
            ? new Date(started.getTime() + r.durationSeconds * 1000).toISOString()
            : r.scheduled);
        await c.query(
          `INSERT INTO executions (job_id, status, trigger, scheduled_for, queued_at, started_at, finished_at, duration_seconds) VALUES ($1, $2, 'manual', $3, $3, $4, $5, $6)`,
          [jobId, r.status, r.scheduled, started, finished, r.durationSeconds ?? null],
        );
      }
    });
  const countRuns = () =>
    withClient(t.db.url, async (c) => Number((await c.query('SELECT count(*) AS n FROM executions')).rows[0].n));

  beforeAll(async () => {
    t = await createTestApp('tasks_analytics', { RUN_RETENTION_DAYS: '30' });
    registry = t.app.get(TaskRegistry);
    const body = (name: string) =>
      jobBody({ name, is_enabled: false, task_kwargs: { url: 'http://127.0.0.1:9/hook' } });
    jobA = (await t.http.post('/api/v1/jobs/').send(body('stats_a')).expect(201)).body.id;
    jobB = (await t.http.post('/api/v1/jobs/').send(body('stats_b')).expect(201)).body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('analytics_aggregation', () => {
    beforeAll(async () => {
      const day = (time: string) => `2030-03-10T${time}Z`;
      await insertRuns(jobA, [
        { status: 'succeeded', scheduled: day('01:00:00'), lagSeconds: 1, durationSeconds: 10 },
        { status: 'succeeded', scheduled: day('02:00:00'), lagSeconds: 2, durationSeconds: 20 },
        { status: 'failed', scheduled: day('03:00:00'), lagSeconds: 3, durationSeconds: 30 },
        { status: 'timed_out', scheduled: day('04:00:00'), lagSeconds: 4, durationSeconds: 40 },
        { status: 'skipped', scheduled: day('05:00:00') },
        { status: 'succeeded', scheduled: '2030-03-09T23:59:59Z', lagSeconds: 1, durationSeconds: 5 },
      ]);
      await insertRuns(jobB, [{ status: 'cancelled', scheduled: day('06:00:00'), lagSeconds: 0, durationSeconds: 1 }]);
      await withClient(t.db.url, (c) =>
        c.query(
          `INSERT INTO executions (job_id, status, trigger, scheduled_for) VALUES ($1, 'running', 'manual', $2)`,
          [jobB, day('07:00:00')],
        ),
      );
    });

    it('rolls finished runs up per job and UTC day with outcomes, p50/p95 duration and start lag', async () => {
      const result = (await registry.run(
        'analytics_aggregation',
        { until: '2030-03-10', days: 1 },
        [],
        taskContext(),
      )) as AnalyticsAggregationResult;
      expect(result).toMatchObject({ from_day: '2030-03-10', to_day: '2030-03-10', rows_written: 2, runs: 6 });
      expect(result.stats).toEqual([
        {
          job_id: jobA,
          day: '2030-03-10',
          runs: 5,
          succeeded: 2,
          failed: 1,
          timed_out: 1,
          cancelled: 0,
          skipped: 1,
          avg_duration_seconds: 25,
          p50_duration_seconds: 25,
          p95_duration_seconds: 38.5,
          avg_start_lag_seconds: 2.5,
          p95_start_lag_seconds: 3.85,
        },
        expect.objectContaining({ job_id: jobB, day: '2030-03-10', runs: 1, cancelled: 1 }),
      ]);
    });

    it('is idempotent and covers several days', async () => {
      await registry.run('analytics_aggregation', { until: '2030-03-10', days: 1 }, [], taskContext());
      const result = (await registry.run(
        'analytics_aggregation',
        { until: '2030-03-10', days: 2 },
        [],
        taskContext(),
      )) as AnalyticsAggregationResult;
      expect(result.rows_written).toBe(3);
      const rows = await withClient(
        t.db.url,
        async (c) =>
          (
            await c.query(
              `SELECT job_id, to_char(day, 'YYYY-MM-DD') AS day, runs FROM job_daily_stats ORDER BY day, job_id`,
            )
          ).rows,
      );
      expect(rows).toEqual([
        { job_id: jobA, day: '2030-03-09', runs: 1 },
        { job_id: jobA, day: '2030-03-10', runs: 5 },
        { job_id: jobB, day: '2030-03-10', runs: 1 },
      ]);
    });
  });

  describe('database_maintenance', () => {
    it('deletes finished runs older than RUN_RETENTION_DAYS in batches, keeps the rest, vacuums and reports sizes', async () => {
      await withClient(t.db.url, (c) => c.query('DELETE FROM executions'));
      const old = new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString();
      const recent = new Date(Date.now() - 5 * 24 * 3600 * 1000).toISOString();
      await insertRuns(
        jobA,
        Array.from({ length: 7 }, () => ({ status: 'succeeded', scheduled: old, finished: old })),
      );
      await insertRuns(jobA, [{ status: 'failed', scheduled: recent, finished: recent }]);
      await withClient(t.db.url, (c) =>
        c.query(`INSERT INTO executions (job_id, status, trigger, scheduled_for) VALUES ($1, 'queued', 'manual', $2)`, [
          jobA,
          old,
        ]),
      );

      const result = (await registry.run(
        'database_maintenance',
        { batch_size: 3 },
        [],
        taskContext(),
      )) as DatabaseMaintenanceResult;
      expect(result).toMatchObject({ retention_days: 30, runs_deleted: 7, batches: 3 });
      expect(result.vacuumed).toEqual(expect.arrayContaining(['executions', 'jobs', 'job_daily_stats']));
      expect(result.sizes_before.executions).toBeGreaterThan(0);
      expect(result.sizes_after.executions).toBeGreaterThan(0);
      expect(result.total_bytes_before).toBeGreaterThan(0);
      expect(await countRuns()).toBe(2);
    });

    it('takes retention_days from kwargs, and can skip the vacuum', async () => {
      const result = (await registry.run(
        'database_maintenance',
        { retention_days: 1, vacuum: false },
        [],
        taskContext(),
      )) as DatabaseMaintenanceResult;
      expect(result).toMatchObject({ retention_days: 1, runs_deleted: 1, vacuumed: [] });
      expect(await countRuns()).toBe(1);
    });

    it('stops between batches when the signal aborts', async () => {
      const controller = new AbortController();
      controller.abort(new Error('timed out'));
      await expect(
        registry.run('database_maintenance', {}, [], taskContext({ signal: controller.signal })),
      ).rejects.toThrow('timed out');
    });
  });
});
