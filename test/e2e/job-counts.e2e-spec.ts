import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import type { Client } from 'pg';
import { withClient } from '../support/test-database';

/**
 * The job list's `total` comes from `job_counts`, kept by triggers: after every kind of change
 * (API, concurrent API, raw SQL, TRUNCATE) it must equal a count over the jobs for every filter.
 */
describe('Job list totals (job_counts kept by triggers)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('job_counts', { ROLES: 'api' });
  });
  afterAll(async () => {
    await t.close();
  });

  const FILTERS: [string, string][] = [
    ['', 'TRUE'],
    ['status=active', `status = 'active'`],
    ['status=paused', `status = 'paused'`],
    ['is_enabled=true', 'is_enabled'],
    ['is_enabled=false', 'NOT is_enabled'],
    ['job_type=custom', `job_type = 'custom'`],
    ['job_type=document_cleanup&is_enabled=false', `job_type = 'document_cleanup' AND NOT is_enabled`],
    ['job_type=custom&status=paused&is_enabled=true', `job_type = 'custom' AND status = 'paused' AND is_enabled`],
  ];

  async function expectTotalsMatchTheJobs(): Promise<void> {
    await withClient(t.db.url, async (c) => {
      for (const [query, where] of FILTERS) {
        const expected = Number((await c.query(`SELECT count(*) AS n FROM jobs WHERE ${where}`)).rows[0].n);
        const page = (await t.http.get(`/api/v1/jobs/?size=1&${query}`).expect(200)).body;
        expect({ query, total: page.total }).toEqual({ query, total: expected });
      }
      const overview = (await t.http.get('/api/v1/jobs/stats/overview').expect(200)).body;
      const byStatus: Record<string, number> = Object.fromEntries(
        (await c.query(`SELECT status, count(*)::int AS n FROM jobs GROUP BY status`)).rows.map((r) => [r.status, r.n]),
      );
      expect({ total: overview.total_jobs, byStatus: overview.jobs_by_status }).toEqual({
        total: Object.values(byStatus).reduce((a, b) => a + b, 0),
        byStatus,
      });
    });
  }

  it('match after creates (some concurrent), updates of type and flags, pause, resume and delete through the API', async () => {
    const ids: number[] = [];
    for (const overrides of [
      {},
      { job_type: 'document_cleanup', is_enabled: false },
      { status: 'paused' },
      { is_enabled: false, status: 'paused' },
    ]) {
      ids.push((await t.http.post('/api/v1/jobs/').send(jobBody(overrides)).expect(201)).body.id);
    }
    const concurrent = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.http.post('/api/v1/jobs/').send(jobBody({ is_enabled: i % 2 === 0 }))),
    );
    expect(concurrent.every((r) => r.status === 201)).toBe(true);
    await expectTotalsMatchTheJobs();

    await t.http.put(`/api/v1/jobs/${ids[0]}`).send({ job_type: 'document_cleanup' }).expect(200);
    await t.http.put(`/api/v1/jobs/${ids[1]}`).send({ is_enabled: true, title: 'still counted once' }).expect(200);
    await t.http.post(`/api/v1/jobs/${ids[2]}/resume`).expect(200);
    await t.http.post(`/api/v1/jobs/${concurrent[0].body.id}/pause`).expect(200);
    await t.http.delete(`/api/v1/jobs/${ids[3]}`).expect(204);
    await expectTotalsMatchTheJobs();
  });

  it("match (and the overview's job counts too) after changes made in SQL, a rolled-back change, and a TRUNCATE", async () => {
    await withClient(t.db.url, async (c) => {
      await c.query(`INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, is_enabled, status)
                     SELECT 'sql_' || i, 'SQL job', 'custom', 'interval', '5', 'http.request', i % 3 = 0, CASE WHEN i % 4 = 0 THEN 'paused' ELSE 'active' END
                       FROM generate_series(1, 40) AS i`);
      await c.query(`UPDATE jobs SET is_enabled = NOT is_enabled WHERE name LIKE 'sql_%' AND id % 2 = 0`);
      await c.query(`UPDATE jobs SET status = status, job_type = job_type`);
      await c.query(`DELETE FROM jobs WHERE name LIKE 'sql_1%'`);
      await c.query('BEGIN');
      await c.query(`DELETE FROM jobs`);
      await c.query('ROLLBACK');
    });
    await expectTotalsMatchTheJobs();
    await withClient(t.db.url, (c) => c.query('TRUNCATE jobs CASCADE'));
    expect((await t.http.get('/api/v1/jobs/').expect(200)).body.total).toBe(0);
    await t.http.post('/api/v1/jobs/').send(jobBody()).expect(201);
    await expectTotalsMatchTheJobs();
  });

  it('count a statement of thousands of jobs once per group: job_counts stays small, and concurrent bulk statements neither deadlock nor drift', async () => {
    const pages = () =>
      withClient(t.db.url, async (c) =>
        Number((await c.query(`SELECT pg_relation_size('job_counts') / 8192 AS p`)).rows[0].p),
      );
    const before = await pages();
    const bulk = (prefix: string, count: number) =>
      withClient(t.db.url, (c) =>
        c.query(
          `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, is_enabled, status)
           SELECT $1 || i, 'Bulk', (ARRAY['custom','document_cleanup','data_sync'])[1 + i % 3], 'interval', '5', 'http.request',
                  i % 2 = 0, CASE WHEN i % 5 = 0 THEN 'paused' ELSE 'active' END
             FROM generate_series(1, $2::int) AS i`,
          [prefix, count],
        ),
      );
    await bulk('bulk_', 3000);
    // Once per row, 3,000 updates of a dozen rows in one transaction took about 20 pages.
    expect((await pages()) - before).toBeLessThanOrEqual(1);
    await expectTotalsMatchTheJobs();

    await Promise.all([
      bulk('left_', 500),
      bulk('right_', 500),
      withClient(t.db.url, (c) => c.query(`DELETE FROM jobs WHERE name LIKE 'bulk_%' AND id % 3 = 0`)),
      withClient(t.db.url, (c) => c.query(`DELETE FROM jobs WHERE name LIKE 'bulk_%' AND id % 3 = 1`)),
    ]);
    await expectTotalsMatchTheJobs();
    expect((await pages()) - before).toBeLessThanOrEqual(1);
  });

  it('lock their groups in key order: a job moving down the key order cannot deadlock with an insert holding both groups', async () => {
    const insertOne = (c: Client, jobType: string) =>
      c.query(
        `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name)
         VALUES ('order_' || md5(random()::text), 'Order', $1, 'interval', '5', 'http.request')`,
        [jobType],
      );
    const [{ id }] = (
      await withClient(t.db.url, async (c) => {
        await insertOne(c, 'custom');
        return c.query<{ id: number }>(
          `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name)
           VALUES ('order_mover', 'Mover', 'document_cleanup', 'interval', '5', 'http.request') RETURNING id`,
        );
      })
    ).rows;
    await withClient(t.db.url, (inserter) =>
      withClient(t.db.url, async (mover) => {
        const moverPid = (await mover.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        await inserter.query('BEGIN');
        await insertOne(inserter, 'custom'); // holds the ('custom', …) group
        await mover.query('BEGIN');
        // ('document_cleanup', …) → ('custom', …): waits for the inserter, holding neither group.
        const moved = mover.query(`UPDATE jobs SET job_type = 'custom' WHERE id = $1`, [id]);
        for (let i = 0; i < 100; i++) {
          const waiting = await inserter.query(
            `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
            [moverPid],
          );
          if (waiting.rowCount) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        // Takes the ('document_cleanup', …) group: had the mover locked it first, this would deadlock.
        await insertOne(inserter, 'document_cleanup');
        await inserter.query('COMMIT');
        await moved;
        await mover.query('COMMIT');
      }),
    );
    await expectTotalsMatchTheJobs();
  });
});
