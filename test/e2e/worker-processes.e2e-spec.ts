import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrations-runner';
import { ServiceProcess, isAlive as alive } from '../support/service-process';
import { createTestDatabase, retryingDeadlock, withClient, type TestDatabase } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

/** WORKER_PROCESSES: one started process executes runs in several processes (item 4 of issue 15). */
describe('Worker processes (WORKER_PROCESSES)', () => {
  let db: TestDatabase;
  let hook: WebhookServer;
  let service: ServiceProcess | undefined;

  const env = () => ({
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL,
    QUEUE_PREFIX: db.name.slice(-50),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ROLES: 'scheduler,worker',
    WORKER_PROCESSES: '3',
    WORKER_CONCURRENCY: '10',
    WORKER_LOCK_SECONDS: '4',
    RECOVERY_INTERVAL_SECONDS: '2',
    SHUTDOWN_TIMEOUT_SECONDS: '5',
  });
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    withClient(db.url, async (c) => (await c.query(text, params)).rows as T[]);
  /** The PIDs that ran something since `since`. */
  const executingPids = async (since: Date) =>
    new Set(
      (await sql<{ worker: string }>(`SELECT DISTINCT worker FROM executions WHERE started_at > $1`, [since])).map(
        (r) => Number(r.worker.split(':').at(-1)),
      ),
    );

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    db = await createTestDatabase('workerprocs');
    const dataSource = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
    await runMigrationsLocked(dataSource);
    await dataSource.destroy();
  });
  afterEach(async () => {
    const children = service ? service.workerChildren() : [];
    await service?.kill();
    for (const pid of children.filter(alive)) process.kill(pid, 'SIGKILL');
    service = undefined;
  });
  afterAll(async () => {
    await hook.stop();
    await db.drop();
  });

  async function startWithJobs(): Promise<ServiceProcess> {
    service = await new ServiceProcess('parent', env()).start();
    await eventually('two worker children', async () => service!.workerChildren().length === 2);
    // The default jobs run meanwhile (their statistics lock job rows): see retryingDeadlock.
    await retryingDeadlock(() => sql(`DELETE FROM jobs`));
    await sql(
      `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, task_kwargs, overlap_policy, next_run_at)
       SELECT 'wp_' || n, 'Worker processes ' || n, 'custom', 'cron', '* * * * * *', 'http.request',
              jsonb_build_object('url', $1::text, 'method', 'POST'), 'allow', now()
         FROM generate_series(1, 30) AS n`,
      [`${hook.url}/slow/400`],
    );
    await sql(`SELECT pg_notify('jobs_changed', 'bulk')`);
    return service;
  }

  it('runs are executed by the process and its worker children; a killed child is replaced and its runs recovered', async () => {
    const parent = await startWithJobs();
    const [first, second] = parent.workerChildren();
    const since = new Date();
    await eventually(
      'runs executed by all three processes',
      async () => {
        const pids = await executingPids(since);
        return pids.has(parent.pid!) && pids.has(first) && pids.has(second);
      },
      20_000,
    );

    process.kill(first, 'SIGKILL');
    await eventually(
      'the dead child replaced',
      async () =>
        parent.workerChildren().filter((pid) => pid !== second).length === 1 &&
        !parent.workerChildren().includes(first),
      15_000,
    );
    // The parent's line may reach the pipe after the replacement's own start-up lines (each process writes asynchronously).
    await eventually(
      'the restart logged by the parent',
      async () => new RegExp(`Worker process ${first} exited \\(SIGKILL\\); starting another`).test(parent.output),
      5000,
    ).catch(() => undefined);
    expect(parent.output).toMatch(new RegExp(`Worker process ${first} exited \\(SIGKILL\\); starting another`));
    const replacement = parent.workerChildren().find((pid) => pid !== first && pid !== second)!;
    const afterKill = new Date();
    await eventually(
      'the replacement executing runs',
      async () => (await executingPids(afterKill)).has(replacement),
      20_000,
    );
    // What the killed child was running is taken back (BullMQ's lock lapses) and ends: nothing stays running on it.
    await eventually(
      "none of the killed child's runs left running",
      async () =>
        (await sql(`SELECT 1 FROM executions WHERE status = 'running' AND worker LIKE '%:' || $1`, [String(first)]))
          .length === 0,
      30_000,
    );
  }, 120_000);

  it('SIGTERM stops the children with the process; no run is left running', async () => {
    const parent = await startWithJobs();
    const children = parent.workerChildren();
    await eventually(
      'runs going',
      async () => (await sql(`SELECT 1 FROM executions WHERE status = 'running'`)).length > 0,
    );

    const code = await parent.stop();

    expect([0, 128]).toContain(code);
    expect(children.filter(alive)).toEqual([]);
    expect(await sql(`SELECT id, worker FROM executions WHERE status = 'running'`)).toEqual([]);
    service = undefined;
  }, 60_000);

  it('a child whose parent is killed shuts itself down', async () => {
    const parent = await startWithJobs();
    const children = parent.workerChildren();
    await parent.kill();
    await eventually('the orphaned children gone', async () => children.filter(alive).length === 0, 20_000);
    service = undefined;
  }, 60_000);
});
