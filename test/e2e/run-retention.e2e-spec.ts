import { RunRetentionService } from '../../src/modules/dispatcher/run-retention.service';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

describe(`${RunRetentionService.name}: runs past RUN_RETENTION_DAYS go, with their logs`, () => {
  let t: TestApp;
  let jobId: number;

  beforeAll(async () => {
    t = await createTestApp('run_retention', { ROLES: 'api,scheduler', RUN_RETENTION_DAYS: '90' });
    jobId = (await t.http.post('/api/v1/jobs/').send(jobBody()).expect(201)).body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('deletes finished runs older than the retention in batches, keeps the rest and the job counters', async () => {
    const ids = await withClient(t.db.url, async (c) => {
      // 1,203 runs finished 91–100 days ago (more than two batches), 5 finished 10 days ago,
      // and one still running that was queued 200 days ago (never deleted: not finished).
      const old = await c.query<{ id: number }>(
        `INSERT INTO executions (job_id, status, "trigger", scheduled_for, queued_at, started_at, finished_at)
         SELECT $1, 'succeeded', 'manual', t, t, t, t
           FROM (SELECT now() - make_interval(days => 91 + n % 10) AS t FROM generate_series(1, 1203) n) s
         RETURNING id`,
        [jobId],
      );
      await c.query(
        `INSERT INTO executions (job_id, status, "trigger", scheduled_for, queued_at, started_at, finished_at)
         SELECT $1, 'failed', 'manual', now() - interval '10 days', now() - interval '10 days', now() - interval '10 days', now() - interval '10 days'
           FROM generate_series(1, 5)`,
        [jobId],
      );
      await c.query(
        `INSERT INTO executions (job_id, status, "trigger", scheduled_for, queued_at, started_at)
         VALUES ($1, 'running', 'manual', now() - interval '200 days', now() - interval '200 days', now() - interval '200 days')`,
        [jobId],
      );
      await c.query(
        `INSERT INTO run_logs (run_id, seq, at, level, message) SELECT $1, n, now(), 'info', 'old line' FROM generate_series(1, 3) n`,
        [old.rows[0].id],
      );
      await c.query(`UPDATE jobs SET total_runs = 1208, successful_runs = 1203, failed_runs = 5 WHERE id = $1`, [
        jobId,
      ]);
      return old.rows.map((r) => r.id);
    });

    expect(await t.app.get(RunRetentionService).prune()).toBe(1203);

    const left = await withClient(t.db.url, async (c) => ({
      byStatus: (
        await c.query<{ status: string; n: number }>(
          `SELECT status, count(*)::int AS n FROM executions WHERE job_id = $1 GROUP BY status ORDER BY status`,
          [jobId],
        )
      ).rows,
      oldLeft: Number((await c.query('SELECT count(*) AS n FROM executions WHERE id = ANY($1)', [ids])).rows[0].n),
      lines: Number((await c.query('SELECT count(*) AS n FROM run_logs WHERE run_id = $1', [ids[0]])).rows[0].n),
    }));
    expect(left).toEqual({
      byStatus: [
        { status: 'failed', n: 5 },
        { status: 'running', n: 1 },
      ],
      oldLeft: 0,
      lines: 0,
    });
    // The job's counters count all time: retention does not touch them.
    expect((await t.http.get(`/api/v1/jobs/${jobId}`).expect(200)).body).toMatchObject({
      total_runs: 1208,
      successful_runs: 1203,
      failed_runs: 5,
    });
    expect(await t.app.get(RunRetentionService).prune()).toBe(0);
  });
});
