import { DefaultJobsSeeder } from '../../src/modules/jobs/default-jobs.seeder';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

const EXPECTED = [
  { name: 'system_health_check', schedule_type: 'interval', schedule_expression: '15', is_enabled: true },
  { name: 'document_cleanup', schedule_type: 'daily', schedule_expression: '02:00', is_enabled: true },
  { name: 'analytics_aggregation', schedule_type: 'daily', schedule_expression: '01:00', is_enabled: true },
  { name: 'database_maintenance', schedule_type: 'weekly', schedule_expression: '0:03:00', is_enabled: false },
  { name: 'mcp_server_health_check', schedule_type: 'interval', schedule_expression: '30', is_enabled: true },
];

describe(DefaultJobsSeeder.name, () => {
  let first: TestApp;

  beforeAll(async () => {
    first = await createTestApp('defaults', { ROLES: 'api' });
  });
  afterAll(async () => {
    await first.close();
  });

  const restart = (env: Record<string, string> = {}) =>
    createTestApp(
      'defaults',
      { ROLES: 'api', JWT_SECRET: first.config.jwtSecret, ...env },
      { database: first.db, withoutUsers: true },
    );
  const defaults = async () =>
    withClient(
      first.db.url,
      async (c) =>
        (await c.query(`SELECT name, schedule_type, schedule_expression, is_enabled FROM jobs ORDER BY id`)).rows,
    );

  it('creates the five default jobs with the SPEC schedules at the first start', async () => {
    expect(await defaults()).toEqual(EXPECTED);
    const jobs = (await first.http.get('/api/v1/jobs/?sort=name').expect(200)).body.items;
    expect(jobs.find((j: { name: string }) => j.name === 'database_maintenance').next_run_at).toBeNull();
    expect(jobs.every((j: { task_name: string; job_type: string }) => j.task_name === j.job_type)).toBe(true);
    const healthNext =
      new Date(jobs.find((j: { name: string }) => j.name === 'system_health_check').next_run_at).getTime() - Date.now();
    expect(healthNext).toBeGreaterThan(14 * 60_000);
    expect(healthNext).toBeLessThanOrEqual(15 * 60_000);
  });

  it('never duplicates them over three restarts and two concurrent starts', async () => {
    for (let i = 0; i < 3; i++) await (await restart()).close();
    const concurrent = await Promise.all([restart(), restart()]);
    await Promise.all(concurrent.map((app) => app.close()));
    expect(await defaults()).toEqual(EXPECTED);
  });

  it("never undoes an admin's change: an enabled default stays disabled, a deleted one stays deleted", async () => {
    // An api app of its own for the admin (on the first app's database and secret).
    const admin = await createTestApp(
      'defaults',
      { ROLES: 'api', JWT_SECRET: first.config.jwtSecret },
      { database: first.db },
    );
    const byName = async (name: string) =>
      (await admin.http.get(`/api/v1/jobs/?search=${name}`).expect(200)).body.items[0];
    const health = await byName('system_health_check');
    await admin.http.put(`/api/v1/jobs/${health.id}`).send({ is_enabled: false, schedule_expression: '5' }).expect(200);
    const mcp = await byName('mcp_server_health_check');
    await admin.http.delete(`/api/v1/jobs/${mcp.id}`).expect(204);
    await admin.close();
    await (await restart()).close();
    const after = await defaults();
    expect(after.find((j: { name: string }) => j.name === 'system_health_check')).toMatchObject({
      is_enabled: false,
      schedule_expression: '5',
    });
    expect(after.find((j: { name: string }) => j.name === 'mcp_server_health_check')).toBeUndefined();
    expect(after).toHaveLength(4);
  });
});
