import { ChaosCluster, JOB_TIMEOUT_SECONDS, report, sleep, within } from './chaos-cluster';

const JOBS = Number(process.env.CHAOS_SIGTERM_JOBS ?? 200);

/**
 * Graceful shutdown under real load (multi-process.e2e-spec.ts has the single-process case):
 * three processes running every-second jobs whose task takes 3 s; each is sent SIGTERM in
 * turn and restarted, then all three at once. No run is left `running`.
 */
describe('SIGTERM under load', () => {
  const cluster = new ChaosCluster('chaos_sigterm');

  beforeAll(async () => {
    await cluster.setUp();
    await cluster.startProcesses(3);
    await cluster.sql(`DELETE FROM jobs`);
  }, 120_000);
  afterAll(async () => {
    await cluster.tearDown();
  }, 60_000);

  it(`leaves no run running after rolling and full SIGTERMs (${JOBS} jobs, 3 s tasks)`, async () => {
    const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    await cluster.insertJobs(
      { count: JOBS, prefix: 'slow_', misfirePolicy: 'run_all', overlapPolicy: 'skip', path: '/slow/3000' },
      start,
    );
    await within(
      30_000,
      async () => (await cluster.sql(`SELECT 1 FROM executions WHERE status = 'running' LIMIT 1`)).length > 0,
    );
    await sleep(3000);

    const exitCodes: (number | null)[] = [];
    let interrupted = 0;
    for (let i = 0; i < 3; i++) {
      const [{ n: runningBefore }] = await cluster.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM executions WHERE status = 'running'`,
      );
      expect(runningBefore).toBeGreaterThan(0);
      exitCodes.push(await cluster.processes[i].stop());
      interrupted += Number(/Interrupting (\d+) run/.exec(cluster.processes[i].output)?.[1] ?? 0);
      // What this process was running has ended: none of its runs is left running.
      const worker = `:${cluster.processes[i].pid}`;
      const [{ n: left }] = await cluster.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM executions WHERE status = 'running' AND worker LIKE '%' || $1`,
        [worker],
      );
      expect(left).toBe(0);
      await cluster.processes[i].start(60_000);
      await sleep(4000);
    }
    const [{ n: runningBeforeAll }] = await cluster.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM executions WHERE status = 'running'`,
    );
    exitCodes.push(...(await Promise.all(cluster.processes.map((p) => p.stop()))));
    for (const p of cluster.processes) interrupted += Number(/Interrupting (\d+) run/.exec(p.output)?.[1] ?? 0);

    // Nest re-raises the signal after its shutdown hooks: ServiceProcess reports that as 128, a crash as 1.
    expect(exitCodes.filter((code) => code !== 0 && code !== 128)).toEqual([]);
    const running = await cluster.sql(`SELECT id, worker, started_at FROM executions WHERE status = 'running'`);
    expect(running).toEqual([]);
    const interruptedRuns = await cluster.sql<{ n: number; retried: number }>(
      `SELECT count(*)::int AS n, count(r.id)::int AS retried FROM executions e LEFT JOIN executions r ON r.retry_of = e.id
        WHERE e.status = 'failed' AND e.error LIKE 'Interrupted%' AND e.attempt = 1`,
    );
    expect(interruptedRuns[0].retried).toBe(interruptedRuns[0].n);

    // Started again, the queued runs (including the retries) are delivered; nothing is lost or doubled.
    await cluster.processes[0].start(60_000);
    await cluster.pauseAll();
    const drained = await within(
      (JOB_TIMEOUT_SECONDS + 90) * 1000,
      async () => (await cluster.unfinished()) === 0,
      1000,
    );
    // On failure, what is left unfinished, grouped.
    if (!drained)
      console.log(
        JSON.stringify(
          await cluster.sql(
            `SELECT status, "trigger", (not_before IS NULL) AS nb_null, (scheduled_for > now()) AS future, worker IS NULL AS noworker, count(*)::int AS n,
                    min(scheduled_for) AS min_sf, max(scheduled_for) AS max_sf, min(queued_at) AS min_q, max(queued_at) AS max_q, now() AS now
               FROM executions WHERE status IN ('queued', 'running') GROUP BY 1, 2, 3, 4, 5`,
          ),
        ),
      );
    expect(drained).toBe(true);
    const [dupes] = await cluster.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM executions WHERE "trigger" = 'schedule' GROUP BY job_id, scheduled_for HAVING count(*) > 1) d`,
    );
    expect(dupes.n).toBe(0);
    const [totals] = await cluster.sql<{ stats: number; runs: number }>(
      `SELECT (SELECT sum(total_runs)::int FROM jobs) AS stats, (SELECT count(*)::int FROM executions) AS runs`,
    );
    expect(totals.stats).toBe(totals.runs);
    const outcomes = await cluster.sql(
      `SELECT status, "trigger", count(*)::int AS n FROM executions GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    report('sigterm', {
      jobs: JOBS,
      sigterms: exitCodes.length,
      running_at_full_stop: runningBeforeAll,
      interrupted_logged: interrupted,
      interrupted_runs: interruptedRuns[0],
      runs: totals.runs,
      outcomes,
    });
  }, 400_000);
});
