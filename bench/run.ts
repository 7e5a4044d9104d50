import { execSync } from 'node:child_process';
import * as os from 'node:os';
import { runApi } from './api.bench';
import { runBurst } from './burst.bench';
import { runCli } from './cli.bench';
import { runDispatch } from './dispatch.bench';
import { runIdle } from './idle.bench';
import { runLag } from './lag.bench';
import { runPipeline } from './pipeline.bench';
import { runStatements } from './statements.bench';
import { BenchEnvironment } from './support/environment';
import { log, type Report } from './support/stats';

const BENCHMARKS: Record<string, (env: BenchEnvironment) => Promise<Report>> = {
  dispatch: runDispatch,
  lag: runLag,
  pipeline: runPipeline,
  burst: runBurst,
  statements: runStatements,
  api: runApi,
  cli: runCli,
  idle: runIdle,
};

/** `npm run bench` runs every benchmark; `npm run bench -- NAME [NAME…]` only those. */
async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
    process.exit(2);
  }
  const env = await BenchEnvironment.start();
  const reports: Report[] = [];
  let failed = false;
  try {
    log(
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, PostgreSQL ${await env.serverVersion()}; ${env.backendDescription}`,
    );
    log(
      `Load average at start: ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}${busy()}`,
    );
    for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
      log(`\n## ${name}`);
      const started = Date.now();
      try {
        const report = await BENCHMARKS[name](env);
        report.print();
        report.write({
          postgres: await env.serverVersion(),
          backend: env.backendDescription,
          seconds: (Date.now() - started) / 1000,
        });
        reports.push(report);
      } catch (error) {
        failed = true;
        log(`  ${name} could not run: ${(error as Error).stack ?? String(error)}`);
      }
      log(`  (${name} took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await env.stop();
  }
  log(
    `\nLoad average at end: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}${busy()}`,
  );
  // Benchmarks never fail on speed; only a benchmark that could not run at all exits non-zero.
  if (failed) process.exitCode = 1;
}

function busy(): string {
  const load = os.loadavg()[0];
  if (load <= os.cpus().length * 0.75) return '';
  let who = '';
  try {
    who = execSync('ps -eo pcpu,comm --sort=-pcpu --no-headers | head -3', { encoding: 'utf8' })
      .trim()
      .replace(/\s+/g, ' ');
  } catch {
    // ps is only for the note
  }
  return ` — the machine is busy (other work running${who ? `; top: ${who}` : ''}); figures are noisier than usual`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
