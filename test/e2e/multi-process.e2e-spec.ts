import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrations-runner';
import { ServiceProcess } from '../support/service-process';
import { createTestDatabase, retryingDeadlock, withClient, type TestDatabase } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

/** Real processes of the service (dist/src/main.js) on one database. */
describe('Several scheduler+worker processes on one database', () => {
  let db: TestDatabase;
  let hook: WebhookServer;
  const processes: ServiceProcess[] = [];

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL,
    QUEUE_PREFIX: db.name.slice(-50),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ROLES: 'scheduler,worker',
    WORKER_CONCURRENCY: '20',
    WORKER_LOCK_SECONDS: '4',
    RECOVERY_INTERVAL_SECONDS: '2',
    SHUTDOWN_TIMEOUT_SECONDS: '5',
    ...extra,
  });
  // Bulk statements over the jobs race the running workers' statistics updates: see retryingDeadlock.
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    retryingDeadlock(() => withClient(db.url, async (c) => (await c.query(text, params)).rows as T[]));

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    db = await createTestDatabase('multiproc');
    const dataSource = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
    await runMigrationsLocked(dataSource);
    await dataSource.destroy();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
  });
  afterAll(async () => {
    await hook.stop();
    await db.drop();
  });

  it('fires 200 every-second jobs for 20 s with exactly one run per job and fire time, none lost', async () => {
    for (let i = 0; i < 3; i++) processes.push(await new ServiceProcess(`node${i}`, env()).start());
    await sql(`DELETE FROM jobs`);
    const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    await sql(
      // run_all: a scheduler that falls behind on a loaded machine still records every fire time
      // (run_once would rightly collapse the missed ones into one run).
      `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, task_kwargs, misfire_policy, next_run_at)
       SELECT 'every_second_' || n, 'Every second ' || n, 'custom', 'cron', '* * * * * *', 'http.request',
              jsonb_build_object('url', $1::text, 'method', 'POST'), 'run_all', $2
         FROM generate_series(1, 200) AS n`,
      [`${hook.url}/ok/multi`, start],
    );
    await sql(`SELECT pg_notify('jobs_changed', 'bulk')`);
    const end = new Date(start.getTime() + 20_000);
    await new Promise((resolve) => setTimeout(resolve, end.getTime() - Date.now()));
    await eventually(
      'every fire time of the window to be dispatched',
      async () => {
        const [row] = await sql<{ behind: number }>(
          `SELECT count(*)::int AS behind FROM jobs WHERE name LIKE 'every_second_%' AND next_run_at < $1`,
          [end],
        );
        return row.behind === 0;
      },
      30_000,
    );
    await sql(`UPDATE jobs SET status = 'paused', next_run_at = NULL`);

    const perFireTime = await sql<{ job_id: number; scheduled_for: Date; n: number }>(
      `SELECT job_id, scheduled_for, count(*)::int AS n FROM executions
        WHERE "trigger" = 'schedule' AND scheduled_for >= $1 AND scheduled_for < $2 GROUP BY job_id, scheduled_for`,
      [start, end],
    );
    expect(perFireTime.filter((r) => r.n !== 1)).toEqual([]);
    expect(perFireTime).toHaveLength(200 * 20);

    await eventually(
      'every run to end',
      async () => (await sql(`SELECT 1 FROM executions WHERE status IN ('queued', 'running')`)).length === 0,
      30_000,
    );
    const outcomes = await sql<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM executions GROUP BY status`,
    );
    const byStatus = Object.fromEntries(outcomes.map((o) => [o.status, o.n]));
    expect(Object.keys(byStatus).every((s) => s === 'succeeded' || s === 'skipped')).toBe(true);
    const workers = await sql<{ worker: string }>(`SELECT DISTINCT worker FROM executions WHERE worker IS NOT NULL`);
    expect(workers.length).toBe(3);
    const totals = await sql<{ runs: number; recorded: number }>(
      `SELECT (SELECT sum(total_runs)::int FROM jobs) AS runs, (SELECT count(*)::int FROM executions) AS recorded`,
    );
    expect(totals[0].runs).toBe(totals[0].recorded);
    // The overview's aggregates, written by three workers and a scheduler at once, add up too.
    const [kept] = await sql<{ runs: number; lastDay: number; finishedLastDay: number }>(
      `SELECT (SELECT sum(total_runs)::int FROM job_run_totals) AS runs,
              (SELECT sum(runs)::int FROM run_window)
                - (SELECT coalesce(sum(runs), 0)::int FROM run_minutes WHERE minute < run_window_start()) AS "lastDay",
              (SELECT count(*)::int FROM executions WHERE finished_at >= run_window_start()) AS "finishedLastDay"`,
    );
    expect(kept).toEqual({ runs: totals[0].runs, lastDay: kept.finishedLastDay, finishedLastDay: totals[0].recorded });
  }, 120_000);

  it('recovers the runs of a worker killed with SIGKILL: the attempt fails, the retry succeeds', async () => {
    await sql(`DELETE FROM jobs`);
    const victim = await new ServiceProcess('victim', env({ ROLES: 'worker' })).start();
    processes.push(victim);
    const scheduler = await new ServiceProcess('scheduler', env({ ROLES: 'scheduler' })).start();
    processes.push(scheduler);
    await sql(
      `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, task_kwargs, max_retries, retry_backoff_seconds, next_run_at)
       SELECT 'slow_' || n, 'Slow ' || n, 'custom', 'interval', '60', 'http.request', jsonb_build_object('url', $1::text), 1, 1, now()
         FROM generate_series(1, 10) AS n`,
      [`${hook.url}/slow/4000`],
    );
    await sql(`SELECT pg_notify('jobs_changed', 'bulk')`);
    await eventually(
      '10 runs running on the victim',
      async () => (await sql(`SELECT 1 FROM executions WHERE status = 'running'`)).length === 10,
    );
    await victim.kill();
    const killedAt = Date.now();
    processes.push(await new ServiceProcess('survivor', env({ ROLES: 'worker' })).start());

    await eventually(
      'every run to end',
      async () => {
        const rows = await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM executions WHERE status IN ('queued', 'running')`,
        );
        const retries = await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM executions WHERE "trigger" = 'retry' AND status = 'succeeded'`,
        );
        return rows[0].n === 0 && retries[0].n === 10;
      },
      45_000,
      250,
    );
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    const lost = await sql<{ id: number; error: string; attempt: number }>(
      `SELECT id, error, attempt FROM executions WHERE "trigger" = 'schedule' ORDER BY id`,
    );
    expect(lost).toHaveLength(10);
    expect(lost.every((r) => r.attempt === 1 && /worker .* was lost/.test(r.error))).toBe(true);
    const retried = await sql<{ retry_of: number; attempt: number; status: string }>(
      `SELECT retry_of, attempt, status FROM executions WHERE "trigger" = 'retry'`,
    );
    expect(retried.map((r) => r.retry_of).sort()).toEqual(lost.map((r) => r.id).sort());
    expect(retried.every((r) => r.attempt === 2 && r.status === 'succeeded')).toBe(true);
    // Bound: BullMQ takes a stalled message back after about two lock periods (WORKER_LOCK_SECONDS=4),
    // then the retry waits its 1 s backoff and runs for 4 s.
    expect(recoverySeconds).toBeLessThan(30);
  }, 90_000);

  it('leaves no run running after SIGTERM under load', async () => {
    await sql(`DELETE FROM jobs`);
    const node = await new ServiceProcess('graceful', env({ SHUTDOWN_TIMEOUT_SECONDS: '1' })).start();
    processes.push(node);
    await sql(
      `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, task_kwargs, next_run_at)
       SELECT 'busy_' || n, 'Busy ' || n, 'custom', 'interval', '60', 'http.request', jsonb_build_object('url', $1::text), now()
         FROM generate_series(1, 10) AS n`,
      [`${hook.url}/slow/10000`],
    );
    await sql(`SELECT pg_notify('jobs_changed', 'bulk')`);
    await eventually(
      'runs going',
      async () => (await sql(`SELECT 1 FROM executions WHERE status = 'running'`)).length === 10,
    );
    await node.stop();
    expect(node.output).toMatch(/Interrupting 10 run\(s\)/);
    const states = await sql<{ status: string; error: string }>(`SELECT status, error FROM executions`);
    expect(states).toHaveLength(10);
    expect(states.every((s) => s.status === 'failed' && /shut down/.test(s.error))).toBe(true);
  }, 60_000);
});
