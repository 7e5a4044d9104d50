import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrations-runner';
import { ServiceProcess, isAlive } from '../support/service-process';
export { isAlive };
import { TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, withClient, type TestDatabase } from '../support/test-database';
import { WebhookServer } from '../support/webhook-server';
import { freePort } from '../../src/common/net';
export { freePort };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs may not stay queued or running longer than this after the fault that stranded them. */
export const WORKER_LOCK_SECONDS = 4;
export const RECOVERY_INTERVAL_SECONDS = 2;
export const RECOVERY_QUEUED_SECONDS = 5;
/** Chaos jobs time out quickly so that the last-resort sweep (timeout + 60 s) stays short. */
export const JOB_TIMEOUT_SECONDS = 10;
/** The service's default: a run_all job catches up at most this many missed fire times. */
export const MISFIRE_CATCHUP_MAX = 100;

export interface ClusterOptions {
  /** Put a TcpProxy the test controls between the processes and PostgreSQL (and Redis). */
  proxied?: boolean;
  concurrency?: number;
  /** WORKER_PROCESSES of every process (default 1: each process executes runs itself only). */
  workerProcesses?: number;
}

export interface JobSpec {
  count: number;
  prefix: string;
  misfirePolicy: 'run_once' | 'run_all' | 'skip';
  /** Default `allow`: every fire time executes its task, so every run tests at-least-once execution. */
  overlapPolicy?: 'skip' | 'allow' | 'queue';
  path?: string;
  maxRetries?: number;
}

/**
 * Real processes of the service (ServiceProcess: `node dist/src/main.js`, roles scheduler and
 * worker) on one fresh database, against the machine's PostgreSQL and Redis when DATABASE_URL
 * and REDIS_URL are set, else the suite's embedded PostgreSQL. Each process serves /health on a
 * port of its own.
 */
export class ChaosCluster {
  db!: TestDatabase;
  hook!: WebhookServer;
  dbProxy: TcpProxy | undefined;
  redisProxy: TcpProxy | undefined;
  readonly processes: ServiceProcess[] = [];
  readonly ports: number[] = [];
  private readonly jwtSecret = randomBytes(32).toString('hex');
  private readonly redisUrl = process.env.REDIS_URL;

  constructor(
    private readonly label: string,
    private readonly options: ClusterOptions = {},
  ) {}

  async setUp(): Promise<this> {
    this.hook = await new WebhookServer().start();
    this.db = await createTestDatabase(this.label);
    const dataSource = await new DataSource(dataSourceOptions(this.db.url, 2)).initialize();
    await runMigrationsLocked(dataSource);
    await dataSource.destroy();
    if (this.options.proxied) {
      this.dbProxy = await TcpProxy.forUrl(this.db.url).start();
      if (this.redisUrl) this.redisProxy = await TcpProxy.forUrl(this.redisUrl).start();
    }
    return this;
  }

  env(index: number): Record<string, string | undefined> {
    return {
      DATABASE_URL: this.dbProxy ? this.dbProxy.rewrite(this.db.url) : this.db.url,
      REDIS_URL: this.redisUrl && this.redisProxy ? this.redisProxy.rewrite(this.redisUrl) : this.redisUrl,
      QUEUE_PREFIX: this.db.name.slice(-50),
      JWT_SECRET: this.jwtSecret,
      ROLES: 'scheduler,worker',
      PORT: String(this.ports[index]),
      HOST: '127.0.0.1',
      WORKER_CONCURRENCY: String(this.options.concurrency ?? 20),
      WORKER_LOCK_SECONDS: String(WORKER_LOCK_SECONDS),
      RECOVERY_INTERVAL_SECONDS: String(RECOVERY_INTERVAL_SECONDS),
      RECOVERY_QUEUED_SECONDS: String(RECOVERY_QUEUED_SECONDS),
      SHUTDOWN_TIMEOUT_SECONDS: '2',
      DATABASE_POOL_SIZE: '10',
      WORKER_PROCESSES: String(this.options.workerProcesses ?? 1),
    };
  }

  async startProcesses(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.ports.push(await freePort());
      this.processes.push(new ServiceProcess(`node${i}`, this.env(i)));
    }
    for (const p of this.processes) await p.start(60_000);
  }

  /** SIGKILL process `index` and start it again (same port, same environment). */
  async killAndRestart(index: number): Promise<void> {
    const p = this.processes[index];
    await p.kill();
    trimOutput(p);
    await p.start(60_000);
  }

  sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return withClient(this.db.url, async (c) => (await c.query(text, params)).rows as T[]);
  }

  /** Every-second cron jobs calling the loopback webhook (http.request); first fire time `start`. */
  async insertJobs(spec: JobSpec, start: Date): Promise<void> {
    await this.sql(
      `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, task_kwargs,
                         misfire_policy, overlap_policy, timeout_seconds, max_retries, retry_backoff_seconds, next_run_at)
       SELECT $1 || n, 'Chaos ' || $1 || n, 'custom', 'cron', '* * * * * *', 'http.request',
              jsonb_build_object('url', $2::text, 'method', 'POST'), $3, $4, $5, $6, 1, $7
         FROM generate_series(1, $8::int) AS n`,
      [
        spec.prefix,
        `${this.hook.url}${spec.path ?? '/ok/chaos'}`,
        spec.misfirePolicy,
        spec.overlapPolicy ?? 'allow',
        JOB_TIMEOUT_SECONDS,
        spec.maxRetries ?? 1,
        start,
        spec.count,
      ],
    );
    await this.sql(`SELECT pg_notify('jobs_changed', 'bulk')`);
  }

  /**
   * Stops every job from firing again (as a pause does) and wakes the dispatchers. One row per
   * statement, as pausing job by job does: a statement that holds one row lock at a time cannot
   * be part of a deadlock, whereas one UPDATE over every job locks them in scan order while the
   * service locks them in id order (PostgreSQL then fails one side, 40P01, even twice in a row).
   */
  async pauseAll(): Promise<Date> {
    const at = await withClient(this.db.url, async (c) => {
      const { rows } = await c.query<{ id: string }>(`SELECT id FROM jobs ORDER BY id`);
      for (const { id } of rows) {
        await c.query(`UPDATE jobs SET status = 'paused', next_run_at = NULL WHERE id = $1`, [id]);
      }
      // Jobs inserted meanwhile (none in these suites) would be caught by a second sweep.
      const { rows: left } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE status <> 'paused' OR next_run_at IS NOT NULL`,
      );
      if (left[0].n !== 0) throw new Error(`pauseAll left ${left[0].n} job(s) unpaused`);
      return (await c.query<{ at: Date }>(`SELECT now() AS at`)).rows[0].at;
    });
    await this.sql(`SELECT pg_notify('jobs_changed', 'bulk')`);
    return at;
  }

  async unfinished(): Promise<number> {
    const [{ n }] = await this.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM executions WHERE status IN ('queued', 'running')`,
    );
    return n;
  }

  /** GET /health/ready of process `index`: status and body, or null when nothing answers there. */
  async readiness(index: number): Promise<{ status: number; body: Record<string, unknown> } | null> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.ports[index]}/health/ready`, {
        signal: AbortSignal.timeout(8000),
      });
      const text = await res.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { text };
      }
      return { status: res.status, body };
    } catch {
      return null;
    }
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill()));
    await this.dbProxy?.stop();
    await this.redisProxy?.stop();
    await this.hook?.stop();
    await this.db?.drop();
  }
}

/** Keeps a long-running process's captured output bounded. */
export function trimOutput(p: ServiceProcess, keep = 200_000): void {
  p.workerChildren(); // their start-up lines are about to go: remember the PIDs
  if (p.output.length > keep) p.output = p.output.slice(-keep);
}

/** Polls `check` every `everyMs` until it is truthy or `timeoutMs` passes; returns whether it became true. */
export async function within(timeoutMs: number, check: () => Promise<boolean>, everyMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** Prints a figure for the closing note of a chaos run. */
export function report(label: string, figures: Record<string, unknown>): void {
  process.stdout.write(`[chaos] ${label}: ${JSON.stringify(figures)}\n`);
}
