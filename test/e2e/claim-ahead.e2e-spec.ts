import { ScheduleDispatcherService } from '../../src/modules/dispatcher/schedule-dispatcher.service';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

interface Run {
  id: number;
  status: string;
  trigger: string;
  scheduled_for: string;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  kwargs: { url?: string };
}

const LOOKAHEAD_MS = 3000;

// Claim ahead, start on time (issue 15): fire times are claimed DISPATCH_LOOKAHEAD_MS ahead and
// released at their fire times; a change made before a fire time wins over its claimed-ahead run.
describe('Claim-ahead dispatch', () => {
  let t: TestApp;
  let hook: WebhookServer;

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    t = await createTestApp('claim_ahead', { DISPATCH_LOOKAHEAD_MS: String(LOOKAHEAD_MS) });
  });
  afterAll(async () => {
    await t.close();
    await hook.stop();
  });

  const runsOf = async (jobId: number): Promise<Run[]> =>
    (await t.http.get(`/api/v1/jobs/${jobId}/executions?size=100`).expect(200)).body.items.sort(
      (a: Run, b: Run) => a.id - b.id,
    );
  const everySecond = async (path: string, overlap_policy = 'allow'): Promise<{ id: number; created_at: string }> =>
    (
      await t.http
        .post('/api/v1/jobs/')
        .send(
          jobBody({
            schedule_type: 'cron',
            schedule_expression: '* * * * * *',
            overlap_policy,
            task_kwargs: { url: `${hook.url}${path}`, method: 'POST' },
          }),
        )
        .expect(201)
    ).body;
  /** Queued runs whose fire time is still ahead (claimed ahead). */
  const claimedAhead = async (jobId: number) =>
    (await runsOf(jobId)).filter((r) => r.status === 'queued' && new Date(r.scheduled_for).getTime() > Date.now());

  it('records fire times ahead and starts each at its fire time, never before', async () => {
    const job = await everySecond('/ok/ahead');
    await eventually('a run claimed ahead of its fire time', async () => (await claimedAhead(job.id)).length >= 2);
    await eventually(
      '5 started runs',
      async () => (await runsOf(job.id)).filter((r) => r.started_at !== null).length >= 5,
    );
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
    const started = (await runsOf(job.id)).filter((r) => r.started_at !== null);
    // A fire time that came less than the lookahead (2 s) after the job was created could not be
    // claimed that far ahead: the first ones may be recorded as they fall due.
    const claimable = Date.parse(job.created_at) + 2000;
    for (const run of started) {
      const fire = new Date(run.scheduled_for).getTime();
      // Recorded ahead (by up to the lookahead), started at or after the fire time.
      if (fire >= claimable) expect(new Date(run.queued_at).getTime()).toBeLessThanOrEqual(fire);
      expect(new Date(run.started_at!).getTime()).toBeGreaterThanOrEqual(fire);
    }
    expect(started.filter((r) => fire(r) >= claimable).length).toBeGreaterThanOrEqual(2);
    expect(started.some((r) => fire(r) - new Date(r.queued_at).getTime() > 500)).toBe(true);
    const seconds = started.map(fire);
    expect(new Set(seconds).size).toBe(seconds.length);
  });

  it('overlap skip is decided at each fire time: a fire time claimed ahead is skipped while the previous run still goes', async () => {
    // Each run takes 2.5 s, the job fires every second: about two of every three fire times find a run going.
    const job = await everySecond('/slow/2500', 'skip');
    await eventually('3 runs started and 3 skipped', async () => {
      const runs = await runsOf(job.id);
      return (
        runs.filter((r) => r.started_at !== null).length >= 3 && runs.filter((r) => r.status === 'skipped').length >= 3
      );
    });
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
    await eventually('the last run to end', async () =>
      (await runsOf(job.id)).every((r) => r.status !== 'running' && r.status !== 'queued'),
    );
    const runs = await runsOf(job.id);
    const started = runs.filter((r) => r.started_at !== null);
    // Never two at once: each started run ended before the next one started.
    for (let i = 1; i < started.length; i++)
      expect(new Date(started[i].started_at!).getTime()).toBeGreaterThanOrEqual(
        new Date(started[i - 1].finished_at!).getTime(),
      );
    const skipped = runs.filter((r) => r.status === 'skipped');
    for (const run of skipped) {
      expect(run.error).toBe('Skipped: the previous run was still going (overlap_policy skip)');
      // Claimed ahead, and skipped at (not before) its fire time.
      expect(new Date(run.queued_at).getTime()).toBeLessThan(fire(run));
      expect(new Date(run.finished_at!).getTime()).toBeGreaterThanOrEqual(fire(run));
    }
  });

  it('pausing drops the runs claimed ahead: nothing of the job starts after the pause', async () => {
    const job = await everySecond('/ok/paused');
    await eventually('runs claimed ahead', async () => (await claimedAhead(job.id)).length >= 2);
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
    const pausedAt = Date.now();
    expect(await claimedAhead(job.id)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, LOOKAHEAD_MS + 1000));
    const runs = await runsOf(job.id);
    expect(runs.filter((r) => new Date(r.scheduled_for).getTime() > pausedAt)).toEqual([]);
    expect(runs.filter((r) => r.started_at && new Date(r.started_at).getTime() > pausedAt + 200)).toEqual([]);
    expect(hook.hits('/ok/paused').filter((h) => h.at > pausedAt + 500)).toEqual([]);
  });

  it('an update before a fire time wins: its run goes with the new kwargs, never the old', async () => {
    const job = await everySecond('/ok/old');
    await eventually('runs claimed ahead', async () => (await claimedAhead(job.id)).length >= 2);
    // Those still ahead when the update commits: one due within a few ms may be reached before it.
    const ahead = (await claimedAhead(job.id))
      .map((r) => r.scheduled_for)
      .filter((at) => Date.parse(at) > Date.now() + 500);
    expect(ahead.length).toBeGreaterThan(0);
    await t.http
      .put(`/api/v1/jobs/${job.id}`)
      .send({ task_kwargs: { url: `${hook.url}/ok/new`, method: 'POST' } })
      .expect(200);
    const changedAt = Date.now();
    // The fire times claimed ahead under the old kwargs are claimed again under the new ones.
    await eventually('the fire times claimed again', async () => {
      const runs = await runsOf(job.id);
      return ahead.every((at) => runs.some((r) => r.scheduled_for === at && r.kwargs.url === `${hook.url}/ok/new`));
    });
    await eventually('runs with the new kwargs', async () => hook.hits('/ok/new').length >= 3);
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
    const runs = await runsOf(job.id);
    const later = runs.filter((r) => new Date(r.scheduled_for).getTime() > changedAt);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((r) => r.kwargs.url === `${hook.url}/ok/new`)).toBe(true);
    // Exactly once per fire time, across the drop and the second claim.
    const seconds = runs.map((r) => r.scheduled_for);
    expect(new Set(seconds).size).toBe(seconds.length);
    // The old URL was never called for a fire time after the change.
    expect(hook.hits('/ok/old').filter((h) => h.at > changedAt + 500)).toEqual([]);
  });

  it('concurrent updates and dispatch: each fire time is one run, and none runs with a definition replaced before it', async () => {
    const job = await everySecond('/ok/v0');
    const changes: { version: number; at: number }[] = [];
    for (let version = 1; version <= 6; version++) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await t.http
        .put(`/api/v1/jobs/${job.id}`)
        .send({ task_kwargs: { url: `${hook.url}/ok/v${version}`, method: 'POST' } })
        .expect(200);
      changes.push({ version, at: Date.now() });
    }
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const runs = (await runsOf(job.id)).filter((r) => r.started_at !== null);
    const versionOf = (r: Run) => Number(/\/ok\/v(\d+)$/.exec(r.kwargs.url ?? '')?.[1]);
    for (const run of runs) {
      const fire = new Date(run.scheduled_for).getTime();
      // The newest change made before the fire time (with a margin for the request's own time).
      const due = changes.filter((c) => c.at < fire - 50).at(-1)?.version ?? 0;
      expect(versionOf(run)).toBeGreaterThanOrEqual(due);
    }
    const seconds = runs.map((r) => r.scheduled_for);
    expect(new Set(seconds).size).toBe(seconds.length);
    const duplicates = await withClient(
      t.db.url,
      async (c) =>
        (
          await c.query<{ n: string }>(
            `SELECT count(*) AS n FROM (SELECT scheduled_for FROM executions WHERE job_id = $1 AND "trigger" = 'schedule'
             GROUP BY scheduled_for HAVING count(*) > 1) d`,
            [job.id],
          )
        ).rows[0].n,
    );
    expect(Number(duplicates)).toBe(0);
  });

  // Last: it stops this app's dispatcher.
  it('a dispatcher that stops gives back what it claimed ahead: those runs deleted, next_run_at moved back to the first', async () => {
    const job = await everySecond('/ok/given-back');
    await eventually('runs claimed ahead', async () => (await claimedAhead(job.id)).length >= 2);
    const dispatcher = t.app.get(ScheduleDispatcherService);
    const before = await runsOf(job.id);

    await dispatcher.onModuleDestroy();

    expect(await claimedAhead(job.id)).toEqual([]);
    const after = new Set((await runsOf(job.id)).map((r) => r.id));
    const givenBack = before.filter((r) => !after.has(r.id));
    expect(givenBack.length).toBeGreaterThan(0);
    for (const run of givenBack) expect(run.status).toBe('queued');
    const [row] = await withClient(
      t.db.url,
      async (c) => (await c.query<{ next_run_at: Date }>(`SELECT next_run_at FROM jobs WHERE id = $1`, [job.id])).rows,
    );
    // The next fire time to claim is the first one given back.
    expect(row.next_run_at.getTime()).toBe(Math.min(...givenBack.map(fire)));
  });
});

function fire(run: Run): number {
  return new Date(run.scheduled_for).getTime();
}
