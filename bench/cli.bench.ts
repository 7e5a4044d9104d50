import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { BenchEnvironment } from './support/environment';
import { withClient } from './support/environment';
import { startProduct } from './support/product-process';
import { seedJobs } from './support/seed';
import { Report, log, summarize } from './support/stats';

const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 9);
const JOBS = 1_000;
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const MANAGE = path.join(REPO_ROOT, 'manage');
const BASELINE_MAIN = path.resolve(__dirname, 'baseline', 'cli-list.js');

/** Wall time of one command from spawn to exit, in ms; throws when it fails or prints too little. */
function timed(label: string, file: string, args: string[], env: Record<string, string>, minLines: number): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const lines = result.stdout.split('\n').filter((l) => l.trim() !== '').length;
  if (result.status !== 0 || lines < minLines)
    throw new Error(`${label} exited ${result.status} with ${lines} line(s):\n${result.stdout}\n${result.stderr}`);
  return ms;
}

/**
 * Cold start of `./manage jobs list` (the script as an operator runs it: bash, the build
 * freshness check, Node, the CLI's modules, the database, 20 rows in a table) beside a running
 * server, against a minimal nest-commander + TypeORM command printing 20 jobs from the same
 * database (bench/baseline/cli-list.ts); alternated, ROUNDS times each. Also `./manage
 * --version` (answered before anything loads: the floor of the script itself).
 */
export async function runCli(env: BenchEnvironment): Promise<Report> {
  const report = new Report('cli', { jobs: JOBS, rounds: ROUNDS });
  // The script runs dist/ (built by `npm run build`); make sure it is current before timing.
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'ensure-build.js')], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  const db = 'bench_cli';
  const url = await env.createSchemaDatabase(db);
  try {
    await withClient(url, (c) =>
      seedJobs(c, {
        count: JOBS,
        scheduleType: 'interval',
        expression: '3600',
        nextRunAt: `now() + interval '1 hour'`,
      }),
    );
    const server = await startProduct('cli-server', url, {});
    try {
      const productEnv = { DATABASE_URL: url };
      const baselineEnv = { BENCH_DATABASE_URL: url };
      // One untimed call each: the OS file cache holds both module graphs from here on.
      timed('./manage jobs list', MANAGE, ['jobs', 'list'], productEnv, 20);
      timed('baseline', process.execPath, [BASELINE_MAIN, 'list'], baselineEnv, 20);
      const mine: number[] = [];
      const theirs: number[] = [];
      const version: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        theirs.push(timed('baseline', process.execPath, [BASELINE_MAIN, 'list'], baselineEnv, 20));
        mine.push(timed('./manage jobs list', MANAGE, ['jobs', 'list'], productEnv, 20));
        version.push(timed('./manage --version', MANAGE, ['--version'], {}, 1));
      }
      const baseline = { name: 'nest-commander + TypeORM, 20 jobs', summary: summarize(theirs) };
      report.add({
        name: './manage jobs list: cold start',
        unit: 'ms',
        product: summarize(mine),
        baseline,
        target: { on: 'ratio', op: '<=', value: 1.5 },
      });
      report.add({ name: './manage --version (the script alone)', unit: 'ms', product: summarize(version), baseline });
    } finally {
      await server.stop();
    }
  } finally {
    await env.dropDatabase(db);
  }
  log(`  (server beside: the product with every role on the same database)`);
  return report;
}
