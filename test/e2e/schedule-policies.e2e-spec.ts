import { jitterOffsetMs } from '../../src/modules/jobs/job-window';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { eventually, WebhookServer } from '../support/webhook-server';

interface Run {
  id: number;
  status: string;
  trigger: string;
  scheduled_for: string;
  start_after: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

interface JobAnswer {
  id: number;
  name: string;
  next_run_at: string | null;
  start_at: string | null;
  end_at: string | null;
  max_runs: number | null;
  remaining_runs: number | null;
  jitter_seconds: number;
  overlap_policy: string;
}

const at = (iso: string) => new Date(iso).getTime();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The next whole second at least `ms` from now, as ISO. */
const secondsFromNow = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString();

// Issue 18, items 2–4: the active window and max_runs, jitter, overlap replace — with the
// dispatcher and workers running (claim-ahead on, as by default).
describe('Schedule policies', () => {
  let t: TestApp;
  let hook: WebhookServer;

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    t = await createTestApp('schedule_policies');
  });
  afterAll(async () => {
    await t.close();
    await hook.stop();
  });

  const create = async (overrides: Record<string, unknown>): Promise<JobAnswer> =>
    (await t.http.post('/api/v1/jobs/').send(jobBody(overrides)).expect(201)).body;
  const everySecond = (path: string, extra: Record<string, unknown> = {}) =>
    create({
      schedule_type: 'cron',
      schedule_expression: '* * * * * *',
      overlap_policy: 'allow',
      task_kwargs: { url: `${hook.url}${path}`, method: 'POST' },
      ...extra,
    });
  const job = async (id: number): Promise<JobAnswer> => (await t.http.get(`/api/v1/jobs/${id}`).expect(200)).body;
  const runsOf = async (jobId: number): Promise<Run[]> =>
    (await t.http.get(`/api/v1/jobs/${jobId}/executions?size=100`).expect(200)).body.items.sort(
      (a: Run, b: Run) => a.id - b.id,
    );
  const finished = (runs: Run[]) => runs.filter((r) => r.finished_at !== null);

  it('fires only inside [start_at, end_at), then has no next fire time and is never overdue', async () => {
    const startAt = secondsFromNow(2000);
    const endAt = new Date(at(startAt) + 3000).toISOString();
    const created = await everySecond('/ok/window', { start_at: startAt, end_at: endAt });
    expect(created).toMatchObject({ start_at: startAt, end_at: endAt, next_run_at: startAt, remaining_runs: null });

    await eventually('the window to pass', async () => Date.now() > at(endAt) + 1500, 15_000);
    const runs = await runsOf(created.id);
    expect(runs.map((r) => r.scheduled_for)).toEqual(
      [0, 1000, 2000].map((offset) => new Date(at(startAt) + offset).toISOString()),
    );
    await eventually('every run finished', async () => finished(await runsOf(created.id)).length === 3);
    expect((await job(created.id)).next_run_at).toBeNull();
    const overdue = (await t.http.get('/api/v1/jobs/?overdue=true&size=100').expect(200)).body.items;
    expect(overdue.map((j: JobAnswer) => j.id)).not.toContain(created.id);
  });

  it('records at most max_runs scheduled runs, shows remaining_runs, and fires again when max_runs is raised', async () => {
    const created = await everySecond('/ok/limited', { max_runs: 3 });
    expect(created).toMatchObject({ max_runs: 3, remaining_runs: 3 });
    await eventually('the job to run out', async () => (await job(created.id)).next_run_at === null, 15_000);
    // (Runs claimed ahead that a change drops stop counting: let all three finish first.)
    await eventually('its 3 runs finished', async () => finished(await runsOf(created.id)).length === 3, 15_000);
    await sleep(1000);
    expect(await runsOf(created.id)).toHaveLength(3);
    expect(await job(created.id)).toMatchObject({ remaining_runs: 0, next_run_at: null });
    // A manual run is not a scheduled run: it does not count, and it is allowed.
    await t.http.post(`/api/v1/jobs/${created.id}/execute`).send({ force: true }).expect(202);

    const raised = (await t.http.put(`/api/v1/jobs/${created.id}`).send({ max_runs: 5 }).expect(200)).body;
    expect(raised).toMatchObject({ max_runs: 5, remaining_runs: 2 });
    expect(raised.next_run_at).not.toBeNull();
    await eventually('two more scheduled runs', async () => (await job(created.id)).next_run_at === null, 15_000);
    await sleep(1500);
    const runs = await runsOf(created.id);
    expect(runs.filter((r) => r.trigger === 'schedule')).toHaveLength(5);
    expect(runs.filter((r) => r.trigger === 'manual')).toHaveLength(1);
    // Clearing the limit makes it unlimited again.
    const cleared = (await t.http.put(`/api/v1/jobs/${created.id}`).send({ max_runs: null }).expect(200)).body;
    expect(cleared).toMatchObject({ max_runs: null, remaining_runs: null });
    expect(cleared.next_run_at).not.toBeNull();
    await t.http.post(`/api/v1/jobs/${created.id}/pause`).expect(200);
  });

  it('gives runs claimed ahead back to the count when the job changes', async () => {
    // Every second with a 2 s lookahead: runs are claimed ahead; a change drops them and they
    // stop counting, so the job still records exactly max_runs scheduled runs in the end.
    const created = await everySecond('/ok/recount', { max_runs: 6 });
    await eventually('a first run', async () => (await runsOf(created.id)).length >= 2);
    await t.http.put(`/api/v1/jobs/${created.id}`).send({ title: 'Renamed' }).expect(200);
    await eventually('the job to run out', async () => (await job(created.id)).next_run_at === null, 20_000);
    await sleep(1500);
    expect((await runsOf(created.id)).filter((r) => r.trigger === 'schedule')).toHaveLength(6);
    expect((await job(created.id)).remaining_runs).toBe(0);
  });

  it('starts each scheduled run at its deterministic jitter offset; scheduled_for stays the fire time', async () => {
    const created = await everySecond('/ok/jitter', { jitter_seconds: 2 });
    expect(created.jitter_seconds).toBe(2);
    await eventually('4 finished runs', async () => finished(await runsOf(created.id)).length >= 4, 20_000);
    await t.http.post(`/api/v1/jobs/${created.id}/pause`).expect(200);
    const runs = finished(await runsOf(created.id));
    const offsets = runs.map((r) => at(r.start_after) - at(r.scheduled_for));
    for (const run of runs) {
      expect(at(run.scheduled_for) % 1000).toBe(0);
      // The same offset any scheduler computes from (job id, fire time).
      expect(at(run.start_after) - at(run.scheduled_for)).toBe(
        jitterOffsetMs(created.id, new Date(run.scheduled_for), 2),
      );
      expect(at(run.started_at!)).toBeGreaterThanOrEqual(at(run.start_after));
    }
    expect(offsets.every((ms) => ms >= 0 && ms < 2000)).toBe(true);
    expect(new Set(offsets).size).toBeGreaterThan(1);
  });

  it('overlap replace, under load: a fire time that comes while the previous run goes cancels it, and the new one runs', async () => {
    // Five jobs, each run takes 2.5 s, a fire time comes every second: every run but the last is replaced.
    const jobs = await Promise.all(
      Array.from({ length: 5 }, () => everySecond('/slow/2500', { overlap_policy: 'replace' })),
    );
    expect(jobs.every((j) => j.overlap_policy === 'replace')).toBe(true);
    await eventually(
      '3 replaced runs of every job',
      async () => {
        for (const j of jobs) if ((await runsOf(j.id)).filter((r) => r.status === 'cancelled').length < 3) return false;
        return true;
      },
      30_000,
      500,
    );
    for (const j of jobs) await t.http.post(`/api/v1/jobs/${j.id}/pause`).expect(200);
    for (const j of jobs) {
      await eventually('nothing running', async () =>
        (await runsOf(j.id)).every((r) => r.status !== 'running' && r.status !== 'queued'),
      );
      const runs = await runsOf(j.id);
      for (const run of runs.filter((r) => r.status === 'cancelled')) {
        const by = Number(/^Replaced by run (\d+) \(overlap_policy replace\)$/.exec(run.error ?? '')?.[1]);
        const replacement = runs.find((r) => r.id === by);
        // Replaced by the run of a later fire time.
        expect(replacement).toBeDefined();
        expect(at(replacement!.scheduled_for)).toBeGreaterThan(at(run.scheduled_for));
      }
      // Never two runs going at once: each run started once the one before it had ended.
      const started = runs.filter((r) => r.started_at !== null).sort((a, b) => at(a.started_at!) - at(b.started_at!));
      for (let i = 1; i < started.length; i++)
        expect(at(started[i].started_at!)).toBeGreaterThanOrEqual(at(started[i - 1].finished_at!) - 50);
      expect(runs.some((r) => r.status === 'skipped')).toBe(false);
    }
  });

  it('backfills only the fire times inside the active window', async () => {
    const created = await create({
      schedule_type: 'daily',
      schedule_expression: '09:00',
      is_enabled: false,
      start_at: '2026-11-20T00:00:00Z',
      end_at: '2026-11-22T09:00:00Z',
    });
    const res = await t.http
      .post(`/api/v1/jobs/${created.id}/backfill`)
      .send({ from: '2026-11-18T00:00:00Z', to: '2026-11-24T00:00:00Z' })
      .expect(202);
    expect(res.body).toEqual({
      recorded: 2,
      already_present: 0,
      fire_times: ['2026-11-20T09:00:00.000Z', '2026-11-21T09:00:00.000Z'],
    });
  });

  it('refuses bad values with a message naming the field, and changes nothing', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ start_at: '2027-01-02T00:00:00Z', end_at: '2027-01-01T00:00:00Z' }, /end_at: must be after start_at/],
      [{ start_at: '2027-01-01' }, /start_at must be an ISO 8601 date-time with an offset/],
      [{ end_at: 'tomorrow' }, /end_at must be an ISO 8601 date-time with an offset/],
      [{ max_runs: 0 }, /max_runs must be an integer of at least 1, or null/],
      [{ max_runs: 2.5 }, /max_runs must be an integer/],
      [{ jitter_seconds: 3601 }, /jitter_seconds must be an integer from 0 to 3600/],
      [{ jitter_seconds: -1 }, /jitter_seconds must be an integer from 0 to 3600/],
      [{ jitter_seconds: null }, /jitter_seconds/],
      [{ overlap_policy: 'replaces' }, /overlap_policy must be one of: skip, allow, queue, replace/],
    ];
    for (const [fields, message] of bad) {
      const res = await t.http.post('/api/v1/jobs/').send(jobBody(fields)).expect(400);
      expect(String(res.body.message)).toMatch(message);
    }
    const created = await create({ start_at: '2027-01-01T00:00:00Z' });
    const res = await t.http.put(`/api/v1/jobs/${created.id}`).send({ end_at: '2026-12-31T00:00:00Z' }).expect(400);
    expect(res.body.message).toMatch(/end_at: must be after start_at/);
    expect(await job(created.id)).toMatchObject({ end_at: null, start_at: '2027-01-01T00:00:00.000Z' });
  });
});
