import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
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
    LOG_LEVEL: 'warn',
    PORT: '0',
    HOST: '127.0.0.1',
    ...extra,
  };
}

/** A child node process (the product, or a baseline script), with its output kept for diagnosis. */
export class ChildService {
  private child: ChildProcess | undefined;
  output = '';
  exitCode: number | null = null;

  constructor(
    readonly label: string,
    private readonly script: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts and waits until the output matches `ready` (the product logs "Roles: …"). */
  async start(ready: RegExp = /Roles: /, timeoutMs = 60_000): Promise<this> {
    const child = spawn(process.execPath, [this.script], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-200_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('exit', (code, signal) => (this.exitCode = code ?? (signal ? 128 : 0)));
    const deadline = Date.now() + timeoutMs;
    while (!ready.test(this.output)) {
      if (this.exitCode !== null) throw new Error(`${this.label} exited with ${this.exitCode} during start-up:\n${this.output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${this.label} did not start within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      await sleep(50);
    }
    return this;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.label} is not running`);
    return this.child.pid;
  }

  /** The port the process listens on, from its "… on http://host:PORT" or "listening PORT" log line. */
  port(pattern = /listening on (\d+)/): number {
    const match = pattern.exec(this.output);
    if (!match) throw new Error(`${this.label}: no port in its output`);
    return Number(match[1]);
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
