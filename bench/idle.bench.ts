import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchEnvironment } from './support/environment';
import { withClient } from './support/environment';
import { startProduct } from './support/product-process';
import { seedJobs } from './support/seed';
import { ChildService } from './support/service';
import { Report, fmt, log, sleep, summarize } from './support/stats';

const ROUNDS = 3;
const JOBS = Number(process.env.BENCH_IDLE_JOBS ?? 10_000);
const WINDOW_S = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const SETTLE_MS = 5_000;
const BASELINE_MAIN = path.resolve(__dirname, 'baseline', 'bullmq-idle-worker.js');

interface Sample {
  statementsPerSecond: number | undefined;
  transactionsPerSecond: number;
  cpuPercent: number;
  statements: string[];
}

/**
 * Statements: on the embedded server every statement of the measured database is logged
 * (ALTER DATABASE … SET log_statement = 'all', log_line_prefix with the database name) and
 * the log lines of the window are counted; this works without pg_stat_statements. Always
 * also: pg_stat_database xact_commit + xact_rollback deltas (each autocommit statement is one
 * transaction; a multi-statement transaction counts once). CPU: utime + stime of the child
 * from /proc/PID/stat over the window.
 */
class IdleMeter {
  constructor(
    private readonly env: BenchEnvironment,
    private readonly logFile: string | undefined,
  ) {}

  async prepare(databases: string[]): Promise<void> {
    if (!this.logFile) return;
    await withClient(this.env.serverUrl, async (c) => {
      await c.query(`ALTER SYSTEM SET log_line_prefix = '%m [%p] db=%d '`);
      await c.query('SELECT pg_reload_conf()');
      for (const db of databases) await c.query(`ALTER DATABASE "${db}" SET log_statement = 'all'`);
    });
  }

  async measure(db: string, child: ChildService): Promise<Sample> {
    const xacts = () =>
      withClient(this.env.serverUrl, async (c) =>
        Number(
          (
            await c.query<{ n: string }>(
              `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1`,
              [db],
            )
          ).rows[0].n,
        ),
      );
    const logStart = this.logFile ? fs.statSync(this.logFile).size : 0;
    const x0 = await xacts();
    const cpu0 = child.cpuSeconds();
    const t0 = Date.now();
    await sleep(WINDOW_S * 1000);
    const seconds = (Date.now() - t0) / 1000;
    const cpu1 = child.cpuSeconds();
    // Statistics reach pg_stat_database when a backend goes idle, at most once a second: let them land.
    await sleep(1100);
    const x1 = await xacts();
    let statements: string[] = [];
    if (this.logFile) {
      const fd = fs.openSync(this.logFile, 'r');
      const size = fs.fstatSync(fd).size;
      const buffer = Buffer.alloc(size - logStart);
      fs.readSync(fd, buffer, 0, buffer.length, logStart);
      fs.closeSync(fd);
      const windowEnd = t0 + seconds * 1000;
      statements = buffer
        .toString('utf8')
        .split('\n')
        .filter((line) => line.includes(` db=${db} `) && /LOG:\s+(statement|execute [^:]*):/.test(line))
        .filter((line) => Date.parse(line.slice(0, 23).replace(' ', 'T') + 'Z') <= windowEnd)
        .map((line) => line.replace(/^.*LOG:\s+(statement|execute [^:]*):\s*/, '').slice(0, 90));
    }
    return {
      statementsPerSecond: this.logFile ? statements.length / seconds : undefined,
      transactionsPerSecond: (x1 - x0) / seconds,
      cpuPercent: ((cpu1 - cpu0) / seconds) * 100,
      statements,
    };
  }
}

export async function runIdle(env: BenchEnvironment): Promise<Report> {
  const report = new Report('idle', { jobs: JOBS, windowSeconds: WINDOW_S, rounds: ROUNDS });
  const logFile = env.embeddedDir ? path.join(env.embeddedDir, 'postgres.log') : undefined;
  report.note(
    logFile
      ? `statements counted from the embedded server's statement log (log_statement=all on the measured database only); transactions from pg_stat_database xact deltas; CPU from /proc/PID/stat`
      : `external database: statements approximated by pg_stat_database xact_commit + xact_rollback deltas (one per autocommit statement); CPU from /proc/PID/stat`,
  );
  const template = 'bench_idle_tpl';
  const tplUrl = await env.createSchemaDatabase(template);
  await withClient(tplUrl, (c) =>
    seedJobs(c, {
      count: JOBS,
      scheduleType: 'interval',
      expression: '60',
      nextRunAt: `now() + interval '1 hour'`,
      taskKwargs: { url: 'http://127.0.0.1:9/' },
    }),
  );
  const dbs = { product: 'bench_idle_product', baseline: 'bench_idle_baseline' };
  const productUrl = await env.createDatabase(dbs.product, template);
  const baselineUrl = await env.createDatabase(dbs.baseline, template);
  const meter = new IdleMeter(env, logFile);
  await meter.prepare(Object.values(dbs));
  const product = await startProduct('idle-product', productUrl, { ROLES: 'scheduler,worker' });
  const baseline = await new ChildService('idle-baseline', BASELINE_MAIN, { BENCH_DATABASE_URL: baselineUrl }).start(
    /idle worker ready/,
  );
  const samples: Record<'product' | 'baseline', Sample[]> = { product: [], baseline: [] };
  try {
    await sleep(SETTLE_MS);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const side of ['baseline', 'product'] as const) {
        const s = await meter.measure(dbs[side], side === 'product' ? product : baseline);
        samples[side].push(s);
        log(
          `  idle round ${round} ${side}: ${s.statementsPerSecond === undefined ? '' : `${fmt(s.statementsPerSecond)} statements/s, `}` +
            `${fmt(s.transactionsPerSecond)} transactions/s, CPU ${s.cpuPercent.toFixed(2)} % of a core`,
        );
      }
    }
  } finally {
    await product.stop();
    await baseline.stop();
    for (const db of [...Object.values(dbs), template]) await env.dropDatabase(db);
  }
  const baselineName = 'BullMQ alone on PostgreSQL, one idle worker';
  const perSecond = (side: 'product' | 'baseline') =>
    samples[side].map((s) => s.statementsPerSecond ?? s.transactionsPerSecond);
  report.add({
    name: logFile ? 'SQL statements per second' : 'SQL transactions per second (≈ statements)',
    unit: '/s',
    product: summarize(perSecond('product')),
    baseline: { name: baselineName, summary: summarize(perSecond('baseline')) },
    target: { on: 'value', op: '<=', value: 1 },
  });
  report.add({
    name: 'CPU',
    unit: '% of a core',
    product: summarize(samples.product.map((s) => s.cpuPercent)),
    baseline: { name: baselineName, summary: summarize(samples.baseline.map((s) => s.cpuPercent)) },
    target: { on: 'value', op: '<=', value: 1 },
  });
  if (logFile) {
    const counts = new Map<string, number>();
    for (const s of samples.product) for (const text of s.statements) counts.set(text, (counts.get(text) ?? 0) + 1);
    const total = ROUNDS * WINDOW_S;
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
    report.note(
      `product's statements (per second, over ${total} s): ${top.map(([t, n]) => `${(n / total).toFixed(2)}× "${t}"`).join('; ')}`,
    );
  }
  return report;
}
