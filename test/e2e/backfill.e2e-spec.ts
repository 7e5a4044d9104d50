import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

interface Run {
  id: number;
  status: string;
  trigger: string;
  scheduled_for: string;
  kwargs: Record<string, unknown>;
  triggered_by: string | null;
}

/** Daily 09:00 in Paris across the spring change of 2026-03-29 (CET → CEST): 08:00Z, then 07:00Z. */
const PARIS_RANGE = { from: '2026-03-27T00:00:00Z', to: '2026-03-31T00:00:00Z' };
const PARIS_FIRE_TIMES = [
  '2026-03-27T08:00:00.000Z',
  '2026-03-28T08:00:00.000Z',
  '2026-03-29T07:00:00.000Z',
  '2026-03-30T07:00:00.000Z',
];
const FINAL = ['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'];

/** Backfill through the real API, with the scheduler and workers running (runs execute on a webhook). */
describe('POST /api/v1/jobs/{id}/backfill', () => {
  let t: TestApp;
  let hook: WebhookServer;

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    t = await createTestApp('backfill');
  });
  afterAll(async () => {
    await t.close();
    await hook.stop();
  });

  const createJob = async (overrides: Record<string, unknown>) =>
    (await t.http.post('/api/v1/jobs/').send(jobBody(overrides)).expect(201)).body;
  const runsOf = async (jobId: number, query = ''): Promise<Run[]> =>
    (await t.http.get(`/api/v1/jobs/${jobId}/executions?size=100${query}`).expect(200)).body.items.sort(
      (a: Run, b: Run) => a.id - b.id,
    );
  const backfill = (jobId: number | string, body: Record<string, unknown>) =>
    t.http.post(`/api/v1/jobs/${jobId}/backfill`).send(body);
  const allFinal = (jobId: number) =>
    eventually('every run of the job final', async () => {
      const runs = await runsOf(jobId);
      return runs.every((r) => FINAL.includes(r.status)) ? runs : null;
    });
  /** What a rejected request could have changed: runs and audit entries. */
  const footprint = () =>
    withClient(t.db.url, async (c) => {
      const { rows } = await c.query(
        `SELECT (SELECT count(*) FROM executions)::int AS runs, (SELECT count(*) FROM audit_logs)::int AS audit`,
      );
      return rows[0] as { runs: number; audit: number };
    });

  it('records one backfill run per fire time in [from, to) of a daily 09:00 Europe/Paris job; they run to succeeded', async () => {
    const url = `${hook.url}/ok/paris`;
    const job = await createJob({
      schedule_type: 'daily',
      schedule_expression: '09:00',
      timezone: 'Europe/Paris',
      task_kwargs: { url, method: 'POST', body: { from: 'backfill' } },
    });
    const answer = (await backfill(job.id, PARIS_RANGE).expect(202)).body;
    expect(answer).toEqual({ recorded: 4, already_present: 0, fire_times: PARIS_FIRE_TIMES });

    const runs = await eventually('four succeeded runs', async () => {
      const all = await runsOf(job.id);
      return all.length === 4 && all.every((r) => r.status === 'succeeded') ? all : null;
    });
    expect(runs.map((r) => r.scheduled_for)).toEqual(PARIS_FIRE_TIMES);
    for (const run of runs)
      expect(run).toMatchObject({ trigger: 'backfill', triggered_by: 'test-admin', kwargs: job.task_kwargs });
    expect(hook.hits('/ok/paris')).toHaveLength(4);
    const filtered = (await t.http.get(`/api/v1/executions?trigger=backfill&job_id=${job.id}`).expect(200)).body;
    expect(filtered.total).toBe(4);

    const audit = (await t.http.get(`/api/v1/audit-logs?action=job.backfill&entity_id=${job.id}`).expect(200)).body;
    expect(audit.items).toEqual([
      expect.objectContaining({
        actor: 'test-admin',
        entity_type: 'job',
        changes: {
          from: { before: null, after: '2026-03-27T00:00:00.000Z' },
          to: { before: null, after: '2026-03-31T00:00:00.000Z' },
          max_runs: { before: null, after: 100 },
          recorded: { before: null, after: 4 },
          already_present: { before: null, after: 0 },
        },
      }),
    ]);
  });

  it('is idempotent: the same range again records nothing and counts every fire time already present', async () => {
    const job = await createJob({
      schedule_type: 'daily',
      schedule_expression: '09:00',
      timezone: 'Europe/Paris',
      task_kwargs: { url: `${hook.url}/slow/300` },
    });
    await backfill(job.id, PARIS_RANGE).expect(202);
    // Again and again while the workers start and finish those runs (and count them in the job's statistics).
    for (let i = 0; i < 6; i++) {
      const again = (await backfill(job.id, PARIS_RANGE).expect(202)).body;
      expect(again).toEqual({ recorded: 0, already_present: 4, fire_times: PARIS_FIRE_TIMES });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A wider range records only what is missing.
    const wider = (await backfill(job.id, { from: '2026-03-26T00:00:00Z', to: '2026-03-31T00:00:00Z' }).expect(202))
      .body;
    expect(wider).toMatchObject({ recorded: 1, already_present: 4 });
    expect(wider.fire_times).toEqual(['2026-03-26T08:00:00.000Z', ...PARIS_FIRE_TIMES]);
    const runs = await allFinal(job.id);
    expect(runs.map((r) => r.scheduled_for).sort()).toEqual(wider.fire_times);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
  });

  it("never waits, holding the job's row, for a run a worker is finishing (whose statement then waits for that row)", async () => {
    const job = await createJob({
      schedule_type: 'daily',
      schedule_expression: '09:00',
      timezone: 'Europe/Paris',
      task_kwargs: { url: `${hook.url}/ok/lock-order` },
    });
    await backfill(job.id, PARIS_RANGE).expect(202);
    await allFinal(job.id);
    await withClient(t.db.url, async (c) => {
      // A worker's outcome statement: the run's row first, then its job's row for the statistics.
      await c.query('BEGIN');
      await c.query(`UPDATE executions SET error = error WHERE job_id = $1 AND scheduled_for = $2`, [
        job.id,
        PARIS_FIRE_TIMES[0],
      ]);
      const again = backfill(job.id, PARIS_RANGE).then((res) => res);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const locked = c
        .query(`SELECT id FROM jobs WHERE id = $1 FOR UPDATE`, [job.id])
        .then(() => 'locked')
        .catch((error: { code?: string }) => error.code);
      const [res, lock] = await Promise.all([again, locked]);
      await c.query('ROLLBACK');
      expect({ status: res.status, body: res.body, lock }).toEqual({
        status: 202,
        body: { recorded: 0, already_present: 4, fire_times: PARIS_FIRE_TIMES },
        lock: 'locked',
      });
    });
  });

  it('counts fire times the dispatcher ran as already present and fills only the gap a pause left (cron, every second)', async () => {
    const job = await createJob({
      schedule_type: 'cron',
      schedule_expression: '* * * * * *',
      task_kwargs: { url: `${hook.url}/ok/tick` },
    });
    await eventually('three scheduled runs', async () => (await runsOf(job.id)).length >= 3);
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const scheduled = (await runsOf(job.id)).map((r) => r.scheduled_for);
    const from = scheduled[0];
    const to = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const expected = Array.from({ length: (Date.parse(to) - Date.parse(from)) / 1000 }, (_, i) =>
      new Date(Date.parse(from) + i * 1000).toISOString(),
    );

    const answer = (await backfill(job.id, { from, to, max_runs: 1000 }).expect(202)).body;
    expect(answer.fire_times).toEqual(expected);
    expect(answer.already_present).toBe(scheduled.length);
    expect(answer.recorded).toBe(expected.length - scheduled.length);
    expect(answer.recorded).toBeGreaterThanOrEqual(2);

    const runs = await allFinal(job.id);
    // One run per fire time: the dispatcher's where it fired, a backfill run in the gap.
    expect(runs.map((r) => r.scheduled_for).sort()).toEqual(expected);
    const backfilled = runs.filter((r) => r.trigger === 'backfill').map((r) => r.scheduled_for);
    expect(backfilled.every((at) => !scheduled.includes(at))).toBe(true);
    expect(runs.filter((r) => r.trigger === 'schedule').map((r) => r.scheduled_for)).toEqual(scheduled);
  });

  it('backfills a paused or disabled job (an explicit operator act), and counts intervals on the lattice of next_run_at', async () => {
    const paused = await createJob({ status: 'paused', is_enabled: false, task_kwargs: { url: `${hook.url}/ok/p` } });
    const daily = { schedule_type: 'daily', schedule_expression: '09:00', timezone: 'Europe/Paris' };
    await t.http.put(`/api/v1/jobs/${paused.id}`).send(daily).expect(200);
    expect((await backfill(paused.id, PARIS_RANGE).expect(202)).body.recorded).toBe(4);

    const hourly = await createJob({ schedule_type: 'interval', schedule_expression: '60' });
    const next = Date.parse(hourly.next_run_at);
    const hours = (n: number) => new Date(next - n * 3_600_000).toISOString();
    const answer = (await backfill(hourly.id, { from: hours(5.5), to: hours(2) }).expect(202)).body;
    expect(answer.fire_times).toEqual([hours(5), hours(4), hours(3)]);
  });

  it('records each fire time once under concurrent backfills; the database key refuses a second run for one', async () => {
    const job = await createJob({
      schedule_type: 'cron',
      schedule_expression: '*/10 * * * *',
      is_enabled: false,
      task_kwargs: { url: `${hook.url}/ok/race` },
    });
    const range = { from: '2026-11-01T00:00:00Z', to: '2026-11-01T05:00:00Z' };
    const answers = await Promise.all(Array.from({ length: 4 }, () => backfill(job.id, range)));
    answers.forEach((res) => expect(res.status).toBe(202));
    const bodies = answers.map((res) => res.body as { recorded: number; already_present: number });
    expect(bodies.reduce((sum, b) => sum + b.recorded, 0)).toBe(30);
    bodies.forEach((b) => expect(b.recorded + b.already_present).toBe(30));
    const runs = await allFinal(job.id);
    expect(runs).toHaveLength(30);
    expect(new Set(runs.map((r) => r.scheduled_for)).size).toBe(30);

    // Whoever records it, the unique (job_id, scheduled_for) index takes one schedule or backfill run per fire time.
    for (const trigger of ['schedule', 'backfill']) {
      const insert = withClient(t.db.url, (c) =>
        c.query(`INSERT INTO executions (job_id, status, "trigger", scheduled_for) VALUES ($1, 'queued', $2, $3)`, [
          job.id,
          trigger,
          runs[0].scheduled_for,
        ]),
      );
      await expect(insert).rejects.toMatchObject({ code: '23505' });
    }
  });

  it('answers 400 naming the field for every bad input, and changes nothing', async () => {
    const job = await createJob({ schedule_type: 'cron', schedule_expression: '* * * * *', is_enabled: false });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const ok = { from: '2026-11-01T00:00:00Z', to: '2026-11-01T01:00:00Z' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, to: ok.from }, 'to'],
      [{ from: ok.to, to: ok.from }, 'to'],
      [{ ...ok, to: future }, 'to'],
      [{ ...ok, max_runs: 0 }, 'max_runs'],
      [{ ...ok, max_runs: 1001 }, 'max_runs'],
      [{ ...ok, max_runs: 2.5 }, 'max_runs'],
      [{ ...ok, max_runs: '10' }, 'max_runs'],
      [{ ...ok, max_runs: null }, 'max_runs'],
      // 60 fire times in the hour, 59 allowed: nothing recorded.
      [{ ...ok, max_runs: 59 }, 'max_runs'],
      [{ ...ok, from: 'yesterday' }, 'from'],
      [{ ...ok, from: '2026-11-01' }, 'from'],
      [{ ...ok, from: '2026-11-01T00:00:00' }, 'from'],
      [{ ...ok, to: '2026-02-30T00:00:00Z' }, 'to'],
      [{ ...ok, to: 20261101 }, 'to'],
      [{ to: ok.to }, 'from'],
      [{ from: ok.from }, 'to'],
      [{ ...ok, force: true }, 'force'],
    ];
    const before = await footprint();
    for (const [body, field] of cases) {
      const res = await backfill(job.id, body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect({ body, names: [res.body.message].flat().join(' ').includes(field) }).toEqual({ body, names: true });
    }
    const tooMany = (await backfill(job.id, { ...ok, max_runs: 59 }).expect(400)).body;
    expect(tooMany.message).toMatch(/^max_runs: the range holds more than 59 fire times/);
    expect(await footprint()).toEqual(before);
    // Exactly max_runs fire times are fine.
    expect((await backfill(job.id, { ...ok, max_runs: 60 }).expect(202)).body.recorded).toBe(60);
  });

  it('is for superusers (403 otherwise), 404 for an unknown job, 400 for a bad id', async () => {
    const job = await createJob({ is_enabled: false });
    const before = await footprint();
    const forbidden = await t.asUser.post(`/api/v1/jobs/${job.id}/backfill`).send(PARIS_RANGE).expect(403);
    expect(forbidden.body.code).toBe('SUPERUSER_REQUIRED');
    await t.anon.post(`/api/v1/jobs/${job.id}/backfill`).send(PARIS_RANGE).expect(401);
    expect((await backfill(999999, PARIS_RANGE).expect(404)).body.code).toBe('JOB_NOT_FOUND');
    await backfill('abc', PARIS_RANGE).expect(400);
    expect(await footprint()).toEqual(before);
  });

  it("keeps every job's counters equal to its runs once they are final", async () => {
    await eventually('no run queued or running', () =>
      withClient(t.db.url, async (c) => {
        const { rows } = await c.query(
          `SELECT count(*)::int AS n FROM executions WHERE status IN ('queued', 'running')`,
        );
        return rows[0].n === 0;
      }),
    );
    const mismatches = await withClient(t.db.url, async (c) => {
      const { rows } = await c.query(
        `SELECT j.id, j.total_runs, j.successful_runs, j.failed_runs, r.total, r.succeeded, r.failed
           FROM jobs j
           JOIN LATERAL (SELECT count(*)::int AS total,
                                count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
                                count(*) FILTER (WHERE status IN ('failed', 'timed_out'))::int AS failed
                           FROM executions e WHERE e.job_id = j.id) r ON true
          WHERE (j.total_runs, j.successful_runs, j.failed_runs) <> (r.total, r.succeeded, r.failed)`,
      );
      return rows;
    });
    expect(mismatches).toEqual([]);
    const backfilled = await withClient(
      t.db.url,
      async (c) => (await c.query(`SELECT count(*)::int AS n FROM executions WHERE "trigger" = 'backfill'`)).rows[0].n,
    );
    expect(backfilled).toBeGreaterThan(40);
  });
});
