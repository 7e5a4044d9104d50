import { DataSource } from 'typeorm';
import { ExecutionsService } from '../../src/modules/executions/executions.service';
import { RunOutcomesRepository } from '../../src/modules/executions/run-outcomes.repository';
import { histogramQuantile } from '../../src/modules/executions/duration-histogram';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

/**
 * The statistics overview reads aggregates kept by triggers (migration OverviewAggregates): the
 * run totals in `job_run_totals`, the last 24 hours in `run_minutes` / `run_window`. After every
 * kind of change — the workers' hot path, skips, cancels and deletes through the API, concurrent
 * outcomes, plain SQL, a rollback, TRUNCATE, minutes leaving the window — they must equal a
 * computation from scratch over `jobs` and `executions`.
 */
describe('Overview aggregates (kept by triggers)', () => {
  let t: TestApp;
  let outcomes: RunOutcomesRepository;
  let executions: ExecutionsService;
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    withClient(t.db.url, async (c) => (await c.query(text, params)).rows as T[]);

  beforeAll(async () => {
    t = await createTestApp('overview_aggregates', { ROLES: 'api' });
    outcomes = t.app.get(RunOutcomesRepository);
    executions = t.app.get(ExecutionsService);
  });
  afterAll(async () => {
    await t.close();
  });

  const IN_WINDOW = `finished_at >= date_trunc('minute', now()) - interval '1439 minutes'`;
  const DURATION_STATUSES = `('succeeded', 'failed', 'timed_out')`;

  /** The figures the aggregates stand for, from scratch. */
  async function fromScratch() {
    const [totals] = await sql<{ total: number; succeeded: number; failed: number; duration: number }>(
      `SELECT coalesce(sum(total_runs), 0)::int AS total, coalesce(sum(successful_runs), 0)::int AS succeeded,
              coalesce(sum(failed_runs), 0)::int AS failed, coalesce(sum(total_duration_seconds), 0)::float8 AS duration FROM jobs`,
    );
    const byStatus = Object.fromEntries(
      (
        await sql<{ status: string; n: number }>(
          `SELECT status, count(*)::int AS n FROM executions WHERE ${IN_WINDOW} GROUP BY status`,
        )
      ).map((r) => [r.status, r.n]),
    );
    const [{ bounds }] = await sql<{ bounds: number[] }>(`SELECT run_duration_bounds() AS bounds`);
    const counts = new Array<number>(bounds.length + 1).fill(0);
    for (const r of await sql<{ bucket: number; n: number }>(
      `SELECT width_bucket(duration_seconds, run_duration_bounds()) AS bucket, count(*)::int AS n
         FROM executions WHERE ${IN_WINDOW} AND status IN ${DURATION_STATUSES} AND duration_seconds IS NOT NULL GROUP BY 1`,
    ))
      counts[r.bucket] = r.n;
    const perMinute = await sql(
      `SELECT date_trunc('minute', finished_at) AS minute, status, count(*)::int AS runs FROM executions
        WHERE ${IN_WINDOW} GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return { totals, byStatus, bounds, counts, perMinute };
  }

  /** The aggregates as kept, summed over their shards. */
  async function aggregates() {
    const [totals] = await sql<{ total: number; succeeded: number; failed: number; duration: number }>(
      `SELECT coalesce(sum(total_runs), 0)::int AS total, coalesce(sum(successful_runs), 0)::int AS succeeded,
              coalesce(sum(failed_runs), 0)::int AS failed, coalesce(sum(total_duration_seconds), 0)::float8 AS duration
         FROM job_run_totals`,
    );
    const perMinute = await sql(
      `SELECT minute, status, sum(runs)::int AS runs FROM run_minutes WHERE minute >= run_window_start()
        GROUP BY 1, 2 HAVING sum(runs) <> 0 ORDER BY 1, 2`,
    );
    // run_window holds every minute still in run_minutes: the sum over all of them (zeros aside).
    const [consistent] = await sql<{ ok: boolean }>(
      `WITH w AS (
         SELECT status, 0 AS i, sum(runs) AS n FROM run_window GROUP BY 1, 2
         UNION ALL SELECT status, u.i, sum(u.n) FROM run_window, unnest(durations) WITH ORDINALITY AS u(n, i) GROUP BY 1, 2
       ), m AS (
         SELECT status, 0 AS i, sum(runs) AS n FROM run_minutes GROUP BY 1, 2
         UNION ALL SELECT status, u.i, sum(u.n) FROM run_minutes, unnest(durations) WITH ORDINALITY AS u(n, i) GROUP BY 1, 2
       )
       SELECT NOT EXISTS ((SELECT * FROM w WHERE n <> 0 EXCEPT SELECT * FROM m WHERE n <> 0)
                          UNION ALL (SELECT * FROM m WHERE n <> 0 EXCEPT SELECT * FROM w WHERE n <> 0)) AS ok`,
    );
    return { totals, perMinute, windowMatchesMinutes: consistent.ok };
  }

  async function expectAggregatesMatchTheRuns(): Promise<void> {
    const expected = await fromScratch();
    const kept = await aggregates();
    expect(kept.windowMatchesMinutes).toBe(true);
    expect(kept.perMinute).toEqual(expected.perMinute);
    expect({ ...kept.totals, duration: 0 }).toEqual({ ...expected.totals, duration: 0 });
    expect(kept.totals.duration).toBeCloseTo(expected.totals.duration, 6);

    const overview = (await t.http.get('/api/v1/jobs/stats/overview').expect(200)).body;
    const finished = expected.totals.succeeded + expected.totals.failed;
    expect(overview).toMatchObject({
      total_runs: expected.totals.total,
      runs_by_outcome: {
        succeeded: expected.totals.succeeded,
        failed: expected.totals.failed,
        other: expected.totals.total - finished,
      },
      runs_last_24h: Object.values(expected.byStatus).reduce((a, b) => a + b, 0),
      runs_last_24h_by_status: expected.byStatus,
    });
    expect(overview.avg_duration_seconds).toBe(
      finished === 0 ? null : Math.round((expected.totals.duration / finished) * 1000) / 1000,
    );
    // Runs per hour: 24 hours, the current one last, summing the minutes the runs ended in.
    const perHour = new Map<number, { runs: number; failed: number }>();
    for (const m of expected.perMinute as { minute: Date; status: string; runs: number }[]) {
      const hour = Math.floor(new Date(m.minute).getTime() / 3_600_000) * 3_600_000;
      const entry = perHour.get(hour) ?? { runs: 0, failed: 0 };
      entry.runs += m.runs;
      if (m.status === 'failed' || m.status === 'timed_out') entry.failed += m.runs;
      perHour.set(hour, entry);
    }
    const hours = overview.runs_per_hour as { hour: string; runs: number; failed: number }[];
    expect(hours).toHaveLength(24);
    expect(Date.parse(hours[23].hour)).toBe(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    expect(hours.filter((h) => h.runs > 0)).toEqual(
      [...perHour].map(([hour, n]) => ({ hour: new Date(hour).toISOString(), ...n })),
    );
    const p95 = histogramQuantile(0.95, expected.bounds, expected.counts);
    expect(overview.p95_duration_seconds).toBe(p95 === null ? null : Math.round(p95 * 1000) / 1000);
  }

  async function jobWithQueuedRuns(n: number, overrides: Record<string, unknown> = {}) {
    const jobId: number = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ is_enabled: false, overlap_policy: 'allow', ...overrides }))
        .expect(201)
    ).body.id;
    const rows = await sql<{ id: number }>(
      `INSERT INTO executions (job_id, status, "trigger", scheduled_for, triggered_by)
       SELECT $1, 'queued', 'schedule', now() - make_interval(secs => i), 'test' FROM generate_series(1, $2::int) AS i RETURNING id`,
      [jobId, n],
    );
    return { jobId, runIds: rows.map((r) => r.id).sort((a, b) => a - b) };
  }

  /** Runs them the way a worker does: a batched claim, then outcomes batched by the service. */
  async function runToEnd(runIds: number[], statusOf: (i: number) => 'succeeded' | 'failed' | 'timed_out') {
    await outcomes.claimStartMany(runIds, 'test-worker');
    // Durations spread over several buckets.
    await sql(
      `UPDATE executions SET started_at = now() - make_interval(secs => (id % 7) * 0.37 + 0.002) WHERE id = ANY($1)`,
      [runIds],
    );
    return Promise.all(
      runIds.map((runId, i) => executions.completeRunning(runId, { status: statusOf(i), error: null })),
    );
  }

  it('match after outcomes on the hot path (with retries), skipped runs, a cancel and a job delete through the API', async () => {
    await expectAggregatesMatchTheRuns();
    const a = await jobWithQueuedRuns(6, { max_retries: 1, retry_backoff_seconds: 3600 });
    const b = await jobWithQueuedRuns(4);
    await runToEnd([...a.runIds, ...b.runIds], (i) => (['succeeded', 'failed', 'timed_out'] as const)[i % 3]);
    await expectAggregatesMatchTheRuns();

    // Overlap `skip`: while a run of the job is running, the claim records its next scheduled run skipped.
    const skipping = await jobWithQueuedRuns(3, { overlap_policy: 'skip' });
    await outcomes.claimStartMany([skipping.runIds[2]], 'test-worker');
    const { skipped } = await outcomes.claimStartMany(skipping.runIds.slice(0, 2), 'test-worker');
    expect(skipped).toHaveLength(2);
    // And at a fire time, for a run claimed ahead (the release's check).
    const ahead = await jobWithQueuedRuns(2, { overlap_policy: 'skip' });
    await outcomes.claimStartMany([ahead.runIds[1]], 'test-worker');
    expect(await executions.skipOverlapping([ahead.runIds[0]])).toEqual(new Set([ahead.runIds[0]]));
    await expectAggregatesMatchTheRuns();

    const retry = await sql<{ id: number }>(`SELECT id FROM executions WHERE job_id = $1 AND status = 'queued'`, [
      a.jobId,
    ]);
    await t.http.post(`/api/v1/executions/${retry[0].id}/cancel`).expect(200);
    await t.http.post(`/api/v1/executions/${skipping.runIds[2]}/cancel`).expect(200);
    await expectAggregatesMatchTheRuns();

    await t.http.delete(`/api/v1/jobs/${a.jobId}`).expect(204);
    await expectAggregatesMatchTheRuns();
  });

  it('match after concurrent outcome batches over many jobs', async () => {
    const jobs = await Promise.all(Array.from({ length: 8 }, () => jobWithQueuedRuns(12)));
    await Promise.all(jobs.map((job, j) => runToEnd(job.runIds, (i) => ((i + j) % 4 === 0 ? 'failed' : 'succeeded'))));
    // Direct statements too, each its own batch, from several connections at once.
    const more = await Promise.all(Array.from({ length: 6 }, () => jobWithQueuedRuns(10)));
    await Promise.all(more.map((job) => outcomes.claimStartMany(job.runIds, 'test-worker')));
    await Promise.all(
      more.flatMap((job) =>
        job.runIds.map((runId, i) =>
          outcomes.finishRun(t.app.get(DataSource).manager, runId, { status: i % 3 ? 'succeeded' : 'failed' }, [
            'running',
          ]),
        ),
      ),
    );
    await expectAggregatesMatchTheRuns();
  });

  it('match after changes made in SQL, a rolled-back change and minutes left out of the window', async () => {
    const { jobId, runIds } = await jobWithQueuedRuns(10);
    await withClient(t.db.url, async (c) => {
      await c.query(
        `UPDATE jobs SET total_runs = total_runs + 5, successful_runs = successful_runs + 3,
                            failed_runs = failed_runs + 1, total_duration_seconds = total_duration_seconds + 2.5 WHERE id = $1`,
        [jobId],
      );
      await c.query(`INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, total_runs, successful_runs, failed_runs, total_duration_seconds)
                     SELECT 'sql_' || i, 'SQL job', 'custom', 'interval', '5', 'http.request', 10, 7, 2, 4.25 FROM generate_series(1, 20) AS i`);
      await c.query(`UPDATE jobs SET title = title || '!', total_runs = total_runs`);
      await c.query(`DELETE FROM jobs WHERE name LIKE 'sql_1%'`);
      // Runs finishing, changing status, moving between minutes, leaving the window, coming back.
      await c.query(
        `UPDATE executions SET status = CASE WHEN id % 2 = 0 THEN 'succeeded' ELSE 'cancelled' END,
                finished_at = now() - make_interval(mins => (id % 5) * 7), duration_seconds = (id % 9) * 1.7 WHERE id = ANY($1)`,
        [runIds],
      );
      await c.query(`UPDATE executions SET status = 'failed' WHERE id = $1`, [runIds[0]]);
      await c.query(`UPDATE executions SET duration_seconds = 1000 WHERE id = $1`, [runIds[1]]);
      await c.query(`UPDATE executions SET finished_at = now() - interval '25 hours' WHERE id = $1`, [runIds[2]]);
      await c.query(`UPDATE executions SET finished_at = now() - interval '3 hours' WHERE id = $1`, [runIds[3]]);
      await c.query(
        `INSERT INTO executions (job_id, status, "trigger", scheduled_for, finished_at, duration_seconds)
         SELECT $1, 'succeeded', 'manual', now(), now() - make_interval(mins => i * 3), i * 0.01 FROM generate_series(1, 30) AS i`,
        [jobId],
      );
      await c.query(`DELETE FROM executions WHERE id = $1`, [runIds[4]]);
      await c.query('BEGIN');
      await c.query(`DELETE FROM executions`);
      await c.query(`UPDATE jobs SET total_runs = 0`);
      await c.query('ROLLBACK');
    });
    await expectAggregatesMatchTheRuns();

    // Time passing, simulated: the runs of one minute (and its counts) move a day back, as if
    // that minute had left the window. The read leaves them out, then expires them.
    await withClient(t.db.url, async (c) => {
      await c.query('BEGIN');
      await c.query(`ALTER TABLE executions DISABLE TRIGGER run_minutes_update`);
      const [{ minute }] = (
        await c.query(`SELECT max(minute) AS minute FROM run_minutes WHERE minute < date_trunc('minute', now())`)
      ).rows;
      await c.query(
        `UPDATE executions SET finished_at = finished_at - interval '1 day' WHERE date_trunc('minute', finished_at) = $1`,
        [minute],
      );
      await c.query(`UPDATE run_minutes SET minute = minute - interval '1 day' WHERE minute = $1`, [minute]);
      await c.query(`ALTER TABLE executions ENABLE TRIGGER run_minutes_update`);
      await c.query('COMMIT');
    });
    expect((await sql(`SELECT 1 FROM run_minutes WHERE minute < run_window_start()`)).length).toBeGreaterThan(0);
    await expectAggregatesMatchTheRuns();
    expect(await sql(`SELECT 1 FROM run_minutes WHERE minute < run_window_start()`)).toEqual([]);
    await expectAggregatesMatchTheRuns();
  });

  it('match after a TRUNCATE of the runs and of the jobs', async () => {
    await runToEnd((await jobWithQueuedRuns(3)).runIds, () => 'succeeded');
    await sql('TRUNCATE executions CASCADE'); // and the run logs that reference them
    await expectAggregatesMatchTheRuns();
    await sql('TRUNCATE jobs CASCADE');
    expect(await sql('SELECT * FROM job_run_totals')).toEqual([]);
    await runToEnd((await jobWithQueuedRuns(2)).runIds, (i) => (i ? 'failed' : 'succeeded'));
    await expectAggregatesMatchTheRuns();
  });
});
