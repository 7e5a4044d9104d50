import { ScheduleDispatcherService } from '../../src/modules/dispatcher/schedule-dispatcher.service';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

interface Run {
  id: number;
  job_id: number;
  status: string;
  trigger: string;
  scheduled_for: string;
  started_at: string | null;
  finished_at: string | null;
  attempt: number;
  retry_of: number | null;
  result: { status_code?: number; body?: string } | null;
  error: string | null;
  kwargs: Record<string, unknown>;
}

describe(ScheduleDispatcherService.name, () => {
  let t: TestApp;
  let hook: WebhookServer;

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    t = await createTestApp('dispatch');
  });
  afterAll(async () => {
    await t.close();
    await hook.stop();
  });

  const createJob = async (overrides: Record<string, unknown>) =>
    (await t.http.post('/api/v1/jobs/').send(jobBody(overrides)).expect(201)).body;
  const runsOf = async (jobId: number): Promise<Run[]> =>
    (await t.http.get(`/api/v1/jobs/${jobId}/executions?size=100`).expect(200)).body.items.sort(
      (a: Run, b: Run) => a.id - b.id,
    );
  const everySecond = (path: string, extra: Record<string, unknown> = {}) =>
    createJob({
      schedule_type: 'cron',
      schedule_expression: '* * * * * *',
      task_kwargs: { url: `${hook.url}${path}`, method: 'POST', body: { from: 'schedule' } },
      ...extra,
    });

  it('fires an every-second cron job once per second and records every run', async () => {
    const job = await everySecond('/ok/tick');
    await eventually(
      '5 succeeded runs',
      async () => (await runsOf(job.id)).filter((r) => r.status === 'succeeded').length >= 5,
    );
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
    const runs = (await runsOf(job.id)).filter((r) => r.status !== 'queued' && r.status !== 'running');
    const seconds = runs.map((r) => new Date(r.scheduled_for).getTime());
    expect(new Set(seconds).size).toBe(seconds.length);
    for (let i = 1; i < seconds.length; i++) expect(seconds[i] - seconds[i - 1]).toBe(1000);
    expect(
      runs.every((r) => r.trigger === 'schedule' && r.status === 'succeeded' && r.result?.status_code === 200),
    ).toBe(true);
    await eventually('the webhook saw every run', async () => hook.hits('/ok/tick').length >= runs.length);
    const stats = (await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body;
    expect(stats.successful_runs).toBeGreaterThanOrEqual(runs.length);
    expect(stats.success_rate).toBe(100);
    expect(stats.last_run_status).toBe('succeeded');
  });

  it('stops firing while paused and starts again on resume', async () => {
    const job = await everySecond('/ok/pause');
    await eventually('a first run', async () => (await runsOf(job.id)).length >= 1);
    const paused = (await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200)).body;
    expect(paused).toMatchObject({ status: 'paused', next_run_at: null });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const countAtPause = (await runsOf(job.id)).length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await runsOf(job.id)).length).toBe(countAtPause);
    const resumed = (await t.http.post(`/api/v1/jobs/${job.id}/resume`).expect(200)).body;
    expect(resumed.status).toBe('active');
    expect(new Date(resumed.next_run_at).getTime()).toBeGreaterThan(Date.now() - 1000);
    await eventually('runs after resume', async () => (await runsOf(job.id)).length >= countAtPause + 2);
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
  });

  it('executes on demand with override_kwargs merged for that run only', async () => {
    const job = await createJob({
      task_kwargs: { url: `${hook.url}/ok/manual`, method: 'POST', body: { level: 'normal' } },
    });
    const run = (
      await t.http
        .post(`/api/v1/jobs/${job.id}/execute`)
        .send({ override_kwargs: { body: { cleanup_level: 'deep' } } })
        .expect(202)
    ).body;
    expect(run).toMatchObject({ job_id: job.id, trigger: 'manual', status: 'queued', triggered_by: 'test-admin' });
    expect(run.kwargs).toEqual({ url: `${hook.url}/ok/manual`, method: 'POST', body: { cleanup_level: 'deep' } });
    const done = await eventually('the manual run to finish', async () => {
      const r = (await t.http.get(`/api/v1/executions/${run.id}`).expect(200)).body;
      return r.status === 'succeeded' ? r : null;
    });
    expect(done.result.status_code).toBe(200);
    expect(hook.hits('/ok/manual').map((h) => h.body)).toEqual([{ cleanup_level: 'deep' }]);
    expect((await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body.task_kwargs.body).toEqual({ level: 'normal' });
  });

  it('refuses to execute a disabled or paused job without force (409) and runs it with force', async () => {
    const job = await createJob({ is_enabled: false, task_kwargs: { url: `${hook.url}/ok/forced` } });
    const refused = await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({}).expect(409);
    expect(refused.body.message).toMatch(/disabled.*force/);
    expect(await runsOf(job.id)).toHaveLength(0);
    await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({ force: true }).expect(202);
    await eventually('the forced run', async () => (await runsOf(job.id))[0]?.status === 'succeeded');
    await t.http.post('/api/v1/jobs/999999/execute').send({}).expect(404);
    await t.http
      .post(`/api/v1/jobs/${job.id}/execute`)
      .send({ force: true, override_kwargs: { url: 'file:///etc/passwd' } })
      .expect(400);
  });

  it('ends a run that outlives timeout_seconds as timed_out', async () => {
    const job = await createJob({ timeout_seconds: 1, task_kwargs: { url: `${hook.url}/slow/5000` } });
    const run = (await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({}).expect(202)).body;
    const done = await eventually('timed_out', async () => {
      const r = (await t.http.get(`/api/v1/executions/${run.id}`)).body;
      return r.status === 'timed_out' ? r : null;
    });
    expect(done.error).toMatch(/Timed out after 1 s/);
    expect(done.duration_seconds).toBeGreaterThanOrEqual(0.9);
    expect(done.duration_seconds).toBeLessThan(4);
    await eventually('the request to be aborted', async () => hook.hits('/slow/5000')[0]?.aborted);
  });

  it('retries a failing run up to max_retries with exponential backoff, each attempt its own run', async () => {
    const job = await createJob({
      max_retries: 2,
      retry_backoff_seconds: 1,
      task_kwargs: { url: `${hook.url}/fail/retry` },
    });
    await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({}).expect(202);
    const runs = await eventually(
      'three failed attempts',
      async () => {
        const all = await runsOf(job.id);
        return all.length === 3 && all.every((r) => r.status === 'failed') ? all : null;
      },
      20000,
    );
    expect(runs.map((r) => [r.attempt, r.trigger])).toEqual([
      [1, 'manual'],
      [2, 'retry'],
      [3, 'retry'],
    ]);
    expect(runs[1].retry_of).toBe(runs[0].id);
    expect(runs[2].retry_of).toBe(runs[1].id);
    expect(runs.every((r) => /HTTP 500/.test(r.error ?? ''))).toBe(true);
    const gap = (a: Run, b: Run) => new Date(b.started_at!).getTime() - new Date(a.finished_at!).getTime();
    expect(gap(runs[0], runs[1])).toBeGreaterThanOrEqual(950);
    expect(gap(runs[1], runs[2])).toBeGreaterThanOrEqual(1950);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await runsOf(job.id)).toHaveLength(3);
    expect((await t.http.get(`/api/v1/jobs/${job.id}`)).body).toMatchObject({
      failed_runs: 3,
      successful_runs: 0,
      success_rate: 0,
      last_run_status: 'failed',
    });
  });

  it('records a skipped run when a fire time comes while the previous run still goes (overlap skip)', async () => {
    const job = await everySecond('/slow/2500', { overlap_policy: 'skip' });
    await eventually('a skipped run', async () => (await runsOf(job.id)).some((r) => r.status === 'skipped'));
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
    const runs = await runsOf(job.id);
    const skipped = runs.filter((r) => r.status === 'skipped');
    expect(skipped[0].error).toMatch(/previous run was still going/);
    expect(runs.filter((r) => r.status === 'running' || r.status === 'succeeded').length).toBeLessThanOrEqual(2);
  });

  it('lets runs wait for the previous one under overlap queue', async () => {
    const job = await createJob({ overlap_policy: 'queue', task_kwargs: { url: `${hook.url}/slow/700` } });
    for (let i = 0; i < 3; i++) await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({}).expect(202);
    const runs = await eventually('three runs in turn', async () => {
      const all = await runsOf(job.id);
      return all.length === 3 && all.every((r) => r.status === 'succeeded') ? all : null;
    });
    for (let i = 1; i < runs.length; i++)
      expect(new Date(runs[i].started_at!).getTime()).toBeGreaterThanOrEqual(
        new Date(runs[i - 1].finished_at!).getTime(),
      );
  });

  it('cancels a running run: the task is aborted and the run ends cancelled', async () => {
    const job = await createJob({ task_kwargs: { url: `${hook.url}/slow/10000` } });
    const run = (await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({}).expect(202)).body;
    await eventually(
      'running',
      async () => (await t.http.get(`/api/v1/executions/${run.id}`)).body.status === 'running',
    );
    const cancelled = (await t.http.post(`/api/v1/executions/${run.id}/cancel`).expect(200)).body;
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'Cancelled by test-admin' });
    await eventually('the request to be aborted', async () => hook.hits('/slow/10000')[0]?.aborted);
    await t.http.post(`/api/v1/executions/${run.id}/cancel`).expect(409);
    await t.http.post('/api/v1/executions/99999999/cancel').expect(404);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await t.http.get(`/api/v1/executions/${run.id}`)).body.status).toBe('cancelled');
  });

  it('lists runs with filters and pages', async () => {
    const failed = (await t.http.get('/api/v1/executions?status=failed&size=2').expect(200)).body;
    expect(failed).toMatchObject({ page: 1, size: 2 });
    expect(failed.items.every((r: Run) => r.status === 'failed')).toBe(true);
    const manual = (await t.http.get('/api/v1/executions?trigger=manual').expect(200)).body;
    expect(manual.items.every((r: Run) => r.trigger === 'manual')).toBe(true);
    await t.http.get('/api/v1/executions?status=exploded').expect(400);
    await t.http.get('/api/v1/executions?from=yesterday').expect(400);
    await t.http.get('/api/v1/jobs/999999/executions').expect(404);
    await t.http.get('/api/v1/executions/abc').expect(400);
  });

  it('summarises jobs and runs in stats/overview', async () => {
    const stats = (await t.http.get('/api/v1/jobs/stats/overview').expect(200)).body;
    const counts = await withClient(
      t.db.url,
      async (c) => (await c.query(`SELECT status, count(*)::int n FROM executions GROUP BY status`)).rows,
    );
    const byStatus = Object.fromEntries(counts.map((r: { status: string; n: number }) => [r.status, r.n]));
    expect(stats.runs_by_outcome.succeeded).toBe(byStatus.succeeded);
    expect(stats.runs_by_outcome.failed).toBe((byStatus.failed ?? 0) + (byStatus.timed_out ?? 0));
    expect(stats.total_jobs).toBeGreaterThan(5);
    const jobGroups = await withClient(
      t.db.url,
      async (c) => (await c.query(`SELECT status, job_type, is_enabled FROM jobs`)).rows,
    );
    const tally = (key: (j: { status: string; job_type: string; is_enabled: boolean }) => string) =>
      jobGroups.reduce((acc: Record<string, number>, j) => ({ ...acc, [key(j)]: (acc[key(j)] ?? 0) + 1 }), {});
    expect(stats.jobs_by_status).toEqual(tally((j) => j.status));
    expect(stats.jobs_by_type).toEqual(tally((j) => j.job_type));
    expect(stats.jobs_by_enabled).toEqual({
      enabled: 0,
      disabled: 0,
      ...tally((j) => (j.is_enabled ? 'enabled' : 'disabled')),
    });
    expect(stats.total_jobs).toBe(jobGroups.length);
    expect(stats.success_rate).toBeGreaterThan(0);
    expect(stats.p95_duration_seconds).toBeGreaterThanOrEqual(stats.avg_duration_seconds * 0.5);
  });
});

describe('Misfire policies and the overdue list (scheduler down, then up)', () => {
  let api: TestApp;
  let hook: WebhookServer;

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    api = await createTestApp('misfire', { ROLES: 'api,worker' });
  });
  afterAll(async () => {
    await api.close();
    await hook.stop();
  });

  it('lists overdue jobs while no scheduler runs, then fires them by each misfire policy', async () => {
    const ids: Record<string, number> = {};
    for (const policy of ['run_once', 'skip', 'run_all']) {
      const body = jobBody({
        schedule_type: 'cron',
        schedule_expression: '0 0 1 1 *',
        misfire_policy: policy,
        task_kwargs: { url: `${hook.url}/ok/${policy}` },
      });
      ids[policy] = (await api.http.post('/api/v1/jobs/').send(body).expect(201)).body.id;
    }
    // The scheduler was down since before 2024-01-01: three yearly fire times were missed.
    await withClient(api.db.url, (c) =>
      c.query(`UPDATE jobs SET next_run_at = '2024-01-01T00:00:00Z' WHERE id = ANY($1)`, [Object.values(ids)]),
    );

    const overdue = (await api.http.get('/api/v1/jobs/overdue/list').expect(200)).body;
    expect(overdue.map((j: { id: number }) => j.id).sort()).toEqual(Object.values(ids).sort());
    expect(overdue[0].overdue_seconds).toBeGreaterThan(365 * 24 * 3600);
    expect((await api.http.get('/api/v1/jobs/stats/overview').expect(200)).body.overdue_jobs).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await api.http.get('/api/v1/executions').expect(200)).body.total).toBe(0);

    // Same JWT secret as the api app (both apps share the database).
    const scheduler = await createTestApp(
      'misfire',
      { ROLES: 'scheduler', JWT_SECRET: api.config.jwtSecret },
      { database: api.db, withoutUsers: true },
    );
    try {
      const scheduledFor = async (jobId: number) =>
        (await api.http.get(`/api/v1/jobs/${jobId}/executions`).expect(200)).body.items
          .map((r: { scheduled_for: string }) => r.scheduled_for)
          .sort();
      await eventually('catch-up runs', async () => (await scheduledFor(ids.run_all)).length === 3);
      expect(await scheduledFor(ids.run_all)).toEqual([
        '2024-01-01T00:00:00.000Z',
        '2025-01-01T00:00:00.000Z',
        '2026-01-01T00:00:00.000Z',
      ]);
      expect(await scheduledFor(ids.run_once)).toEqual(['2026-01-01T00:00:00.000Z']);
      expect(await scheduledFor(ids.skip)).toEqual([]);
      for (const id of Object.values(ids)) {
        expect((await api.http.get(`/api/v1/jobs/${id}`).expect(200)).body.next_run_at).toBe(
          '2027-01-01T00:00:00.000Z',
        );
      }
      await eventually(
        'the catch-up runs to execute',
        async () => hook.hits('/ok/run_all').length === 3 && hook.hits('/ok/run_once').length === 1,
      );
      expect((await api.http.get('/api/v1/jobs/overdue/list').expect(200)).body).toEqual([]);
    } finally {
      await scheduler.close();
    }
  });
});
