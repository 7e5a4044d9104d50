import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sleep } from './stats';

/** The product's entry point, compiled by `tsc -p bench/tsconfig.json` next to the benchmarks. */
export const PRODUCT_MAIN = path.resolve(__dirname, '..', '..', 'src', 'main.js');
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export const BENCH_ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };

/** Environment for a product process against one benchmark database. */
export function productEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    PORT: '0',
    HOST: '127.0.0.1',
    ...extra,
  };
}

const LOG_DIR = path.join(os.tmpdir(), 'jobs-bench-logs');

/**
 * A child node process (the product, or a baseline script). Its output goes to a file (as
 * a deployment's would), not through a pipe into the benchmark process, so reading it costs
 * the measurement nothing.
 */
export class ChildService {
  private child: ChildProcess | undefined;
  exitCode: number | null = null;
  readonly logFile: string;

  constructor(
    readonly label: string,
    private readonly script: string,
    private readonly env: Record<string, string>,
  ) {
    fs.mkdirSync(LOG_DIR, { recursive: true });
    this.logFile = path.join(LOG_DIR, `${label.replace(/[^a-z0-9_-]/gi, '_')}.log`);
  }

  get output(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').slice(-500_000);
    } catch {
      return '';
    }
  }

  /** Starts and waits until the output matches `ready` (the product logs "Roles: …"). */
  async start(ready: RegExp = /Roles: /, timeoutMs = 60_000): Promise<this> {
    const out = fs.openSync(this.logFile, 'w');
    // BENCH_CPU_PROF=DIR: every child writes a V8 CPU profile there on exit (open in Chrome DevTools).
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`]
      : [];
    const child = spawn(process.execPath, [...profile, this.script], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.child = child;
    child.on('exit', (code, signal) => (this.exitCode = code ?? (signal ? 128 : 0)));
    const deadline = Date.now() + timeoutMs;
    while (!ready.test(this.output)) {
      if (this.exitCode !== null)
        throw new Error(`${this.label} exited with ${this.exitCode} during start-up:\n${this.output.slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`${this.label} did not start within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      await sleep(100);
    }
    return this;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.label} is not running`);
    return this.child.pid;
  }

  /** user + system CPU seconds of the process so far (/proc/PID/stat fields 14 and 15). */
  cpuSeconds(): number {
    const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;
