import {
  ChaosCluster,
  JOB_TIMEOUT_SECONDS,
  MISFIRE_CATCHUP_MAX,
  isAlive,
  report,
  sleep,
  trimOutput,
  within,
} from './chaos-cluster';

const JOBS = Number(process.env.CHAOS_WP_JOBS ?? 60);
const SECONDS = Number(process.env.CHAOS_WP_SECONDS ?? 60);
/** As in kill-restart.chaos-spec.ts: lock lapse, sweep, and room for a saturated machine. */
const RECOVERY_BOUND_SECONDS = JOB_TIMEOUT_SECONDS + 60 + 30;

/**
 * WORKER_PROCESSES under faults: one process executing runs in itself and two worker children;
 * a child is killed with SIGKILL every 3–5 s (the parent starts another), then the parent is
 * stopped with SIGTERM (its children drain and exit with it), started again, and killed with
 * SIGKILL (its orphaned children shut themselves down). Every fire time keeps exactly one run,
 * none is lost, every run ends, and no process is left behind.
 */
describe('Worker processes under SIGKILL and SIGTERM', () => {
  const cluster = new ChaosCluster('chaos_wp', { workerProcesses: 3, concurrency: 10 });

  beforeAll(async () => {
    await cluster.setUp();
    await cluster.startProcesses(1);
    await cluster.sql(`DELETE FROM jobs`);
  }, 120_000);
  afterAll(async () => {
    const left = cluster.processes[0].workerChildren();
    await cluster.tearDown();
    for (const pid of left.filter(isAlive)) process.kill(pid, 'SIGKILL');
  }, 60_000);

  it(`keeps one run per fire time, loses none and ends every run (${JOBS} jobs, ${SECONDS} s of child kills)`, async () => {
    const parent = cluster.processes[0];
    expect(await within(30_000, async () => parent.workerChildren().length === 2)).toBe(true);
    const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    await cluster.insertJobs(
      { count: JOBS, prefix: 'wp_', misfirePolicy: 'run_all', overlapPolicy: 'allow', path: '/slow/300' },
      start,
    );

    const killed: number[] = [];
    const chaosEnd = Date.now() + SECONDS * 1000;
    while (Date.now() < chaosEnd) {
      await sleep(3000 + Math.random() * 2000);
      const children = parent.workerChildren();
      if (children.length === 0) continue;
      const victim = children[Math.floor(Math.random() * children.length)];
      process.kill(victim, 'SIGKILL');
      killed.push(victim);
      trimOutput(parent);
    }
    // Every killed child was replaced: two children alive, none of them a killed one.
    expect(await within(40_000, async () => parent.workerChildren().length === 2)).toBe(true);
    expect(parent.workerChildren().filter((pid) => killed.includes(pid))).toEqual([]);
    const executors = await cluster.sql<{ worker: string }>(
      `SELECT DISTINCT worker FROM executions WHERE worker IS NOT NULL`,
    );

    // SIGTERM: the children drain and exit with their parent.
    const children = parent.workerChildren();
    const code = await parent.stop();
    expect([0, 128]).toContain(code);
    expect(children.filter(isAlive)).toEqual([]);

    // Started again and killed: the orphaned children shut themselves down.
    await parent.start(60_000);
    expect(await within(30_000, async () => parent.workerChildren().length === 2)).toBe(true);
    const orphans = parent.workerChildren();
    await sleep(3000);
    await parent.kill();
    expect(await within(20_000, async () => orphans.filter(isAlive).length === 0)).toBe(true);

    // A survivor finishes the work: every run ends, none twice, none missing.
    await parent.start(60_000);
    await cluster.pauseAll();
    const allFinal = await within(RECOVERY_BOUND_SECONDS * 1000, async () => (await cluster.unfinished()) === 0, 1000);
    const stuck = await cluster.sql(
      `SELECT id, job_id, status, worker, queued_at, started_at FROM executions WHERE status IN ('queued', 'running') LIMIT 5`,
    );
    expect({ allFinal, stuck }).toEqual({ allFinal: true, stuck: [] });
    const [dupes] = await cluster.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM executions WHERE "trigger" = 'schedule' GROUP BY job_id, scheduled_for HAVING count(*) > 1) d`,
    );
    expect(dupes.n).toBe(0);
    const gaps = await cluster.sql<{ job_id: number; prev: Date; next: Date; late_by: number }>(
      `WITH s AS (SELECT job_id, scheduled_for, queued_at,
                         lag(scheduled_for) OVER (PARTITION BY job_id ORDER BY scheduled_for) AS prev
                    FROM executions WHERE "trigger" = 'schedule')
       SELECT job_id, prev, scheduled_for AS next, extract(epoch FROM queued_at - prev)::float8 AS late_by
         FROM s WHERE scheduled_for - prev > interval '1 second'`,
    );
    expect(gaps.filter((g) => g.late_by < MISFIRE_CATCHUP_MAX)).toEqual([]);
    const [totals] = await cluster.sql<{ stats: number; runs: number }>(
      `SELECT (SELECT sum(total_runs)::int FROM jobs) AS stats, (SELECT count(*)::int FROM executions) AS runs`,
    );
    expect(totals.stats).toBe(totals.runs);
    const lost = await cluster.sql<{ n: number; retried: number }>(
      `SELECT count(*)::int AS n, count(r.id)::int AS retried FROM executions e LEFT JOIN executions r ON r.retry_of = e.id
        WHERE e.status IN ('failed') AND (e.error LIKE '%worker%lost%' OR e.error LIKE 'Interrupted%') AND e.attempt = 1`,
    );
    expect(lost[0].retried).toBe(lost[0].n);
    const outcomes = await cluster.sql(
      `SELECT status, "trigger", left(error, 50) AS error, count(*)::int AS n FROM executions GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    report('worker-processes', {
      jobs: JOBS,
      children_killed: killed.length,
      executing_processes: executors.length,
      runs: totals.runs,
      lost_attempts_retried: lost[0].n,
      outcomes,
    });
  }, 400_000);
});
