import { ExecutionsController } from '../../src/modules/executions/executions.controller';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

describe(`${ExecutionsController.name} on a large runs table`, () => {
  let t: TestApp;
  let jobId: number;

  beforeAll(async () => {
    t = await createTestApp('runs_large', { ROLES: 'api' });
    jobId = (await t.http.post('/api/v1/jobs/').send(jobBody()).expect(201)).body.id;
    await withClient(t.db.url, async (c) => {
      await c.query(
        `INSERT INTO executions (job_id, status, "trigger", scheduled_for, finished_at)
         SELECT $1, CASE WHEN n % 10 = 0 THEN 'failed' ELSE 'succeeded' END, 'schedule', now() - make_interval(secs => n), now()
           FROM generate_series(1, 120000) AS n`,
        [jobId],
      );
      await c.query('ANALYZE executions');
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers the unfiltered list with the planner estimate as total, newest first', async () => {
    const page = (await t.http.get('/api/v1/executions?size=5').expect(200)).body;
    expect(page.items).toHaveLength(5);
    expect(page.items[0].id).toBeGreaterThan(page.items[4].id);
    expect(Math.abs(page.total - 120000)).toBeLessThan(12000);
    expect(page.pages).toBe(Math.ceil(page.total / 5));
  });

  it('lists every run exactly as GET /executions/{id} shows it', async () => {
    await withClient(t.db.url, (c) =>
      c.query(
        `UPDATE executions SET started_at = finished_at - interval '1.5 s', duration_seconds = 1.5, result = '{"n": 1}', error = 'boom', attempt = 2, worker = 'w:1' WHERE id = (SELECT max(id) FROM executions)`,
      ),
    );
    const page = (await t.http.get('/api/v1/executions?size=3').expect(200)).body;
    expect(page.items[0]).toMatchObject({ duration_seconds: 1.5, result: { n: 1 }, error: 'boom', attempt: 2 });
    for (const item of page.items as { id: number }[])
      expect(item).toEqual((await t.http.get(`/api/v1/executions/${item.id}`).expect(200)).body);
  });

  it('counts filtered lists exactly', async () => {
    expect((await t.http.get('/api/v1/executions?status=failed&size=1').expect(200)).body.total).toBe(12000);
    expect((await t.http.get(`/api/v1/jobs/${jobId}/executions?size=1`).expect(200)).body.total).toBe(120000);
  });
});
