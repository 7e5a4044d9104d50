import { RunOutcomesRepository } from '../../src/modules/executions/run-outcomes.repository';
import { ExecutionsService } from '../../src/modules/executions/executions.service';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

/**
 * The worker's hot path writes claims and outcomes in batches. A batch may hold several runs
 * of one job: each counts once in the job's statistics, the latest sets last_run_status, and
 * each failed attempt with attempts left gets its own retry.
 */
describe('Batched claims and outcomes (real PostgreSQL)', () => {
  let t: TestApp;
  let runs: RunOutcomesRepository;
  let executions: ExecutionsService;
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    withClient(t.db.url, async (c) => (await c.query(text, params)).rows as T[]);

  beforeAll(async () => {
    t = await createTestApp('batched_outcomes', { ROLES: 'api' });
    runs = t.app.get(RunOutcomesRepository);
    executions = t.app.get(ExecutionsService);
  });
  afterAll(async () => {
    await t.close();
  });

  async function jobWithQueuedRuns(
    n: number,
    overrides: Record<string, unknown> = {},
  ): Promise<{ jobId: number; runIds: number[] }> {
    const jobId = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ is_enabled: false, overlap_policy: 'allow', ...overrides }))
        .expect(201)
    ).body.id;
    const rows = await sql<{ id: number }>(
      `INSERT INTO executions (job_id, status, "trigger", scheduled_for, triggered_by)
       SELECT $1, 'queued', 'manual', now() - make_interval(secs => i), 'test' FROM generate_series(1, $2::int) AS i RETURNING id`,
      [jobId, n],
    );
    return { jobId, runIds: rows.map((r) => r.id).sort((a, b) => a - b) };
  }

  it('claims a batch in one statement, leaving out runs that are not queued and runs of overlap-queue jobs', async () => {
    const plain = await jobWithQueuedRuns(3);
    const queueing = await jobWithQueuedRuns(1, { overlap_policy: 'queue' });
    await sql(`UPDATE executions SET status = 'cancelled' WHERE id = $1`, [plain.runIds[2]]);
    const { started: claimed } = await runs.claimStartMany([...plain.runIds, ...queueing.runIds], 'w1');
    expect(claimed.map((r) => r.id).sort((a, b) => a - b)).toEqual(plain.runIds.slice(0, 2));
    expect(claimed.every((r) => r.jobId === plain.jobId && r.taskName === 'http.request')).toBe(true);
    // The overlap-queue run takes its turn through the one-by-one path.
    expect((await runs.claimQueued(queueing.runIds[0], 'w1')).started[0]?.id).toBe(queueing.runIds[0]);
    const states = await sql<{ id: number; status: string; worker: string | null }>(
      `SELECT id, status, worker FROM executions WHERE job_id = ANY($1) ORDER BY id`,
      [[plain.jobId, queueing.jobId]],
    );
    expect(states.map((s) => s.status)).toEqual(['running', 'running', 'cancelled', 'running']);
  });

  it('writes outcomes of several runs of one job in one statement: statistics, last status and one retry per failed attempt', async () => {
    const { jobId, runIds } = await jobWithQueuedRuns(4, { max_retries: 1, retry_backoff_seconds: 30 });
    await runs.claimStartMany(runIds, 'w1');
    const outcomes = [
      { status: 'succeeded' as const, result: { ok: true } },
      { status: 'failed' as const, error: 'boom' },
      { status: 'timed_out' as const, error: 'Timed out after 1 s' },
      { status: 'succeeded' as const, result: { note: 'it\'s "quoted" \\ and {braced}' } },
    ];
    const finished = await Promise.all(runIds.map((runId, i) => executions.completeRunning(runId, outcomes[i])));
    expect(finished.map((f) => f?.status)).toEqual(['succeeded', 'failed', 'timed_out', 'succeeded']);
    expect(finished.map((f) => f?.retry !== null)).toEqual([false, true, true, false]);

    const [job] = await sql<{
      total_runs: number;
      successful_runs: number;
      failed_runs: number;
      last_run_status: string;
    }>(`SELECT total_runs, successful_runs, failed_runs, last_run_status FROM jobs WHERE id = $1`, [jobId]);
    expect(job).toEqual({ total_runs: 4, successful_runs: 2, failed_runs: 2, last_run_status: 'succeeded' });
    const rows = await sql<{ id: number; status: string; result: unknown; retry_of: number | null }>(
      `SELECT id, status, result, retry_of FROM executions WHERE job_id = $1 ORDER BY id`,
      [jobId],
    );
    expect(rows.find((r) => r.id === runIds[3])?.result).toEqual(outcomes[3].result);
    const retries = rows.filter((r) => r.retry_of !== null);
    expect(retries.map((r) => [r.retry_of, r.status])).toEqual([
      [runIds[1], 'queued'],
      [runIds[2], 'queued'],
    ]);
    expect(finished[1]?.retry?.id).toBe(retries[0].id);

    // A second report for a run that is no longer running changes nothing.
    expect(await executions.completeRunning(runIds[0], { status: 'failed', error: 'late' })).toBeNull();
    const [again] = await sql<{ total_runs: number }>(`SELECT total_runs FROM jobs WHERE id = $1`, [jobId]);
    expect(again.total_runs).toBe(4);
  });
});
