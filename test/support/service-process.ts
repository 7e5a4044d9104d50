import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
/** JOBS_TEST_MAIN lets a developer point the tests at a build of their own while others rebuild dist/. */
const MAIN = process.env.JOBS_TEST_MAIN ?? path.join(ROOT, 'dist', 'src', 'main.js');

/**
 * A real process of the service (`node dist/src/main.js`, built by `npm test` before the e2e
 * suites), for tests that kill, restart and run several of them against one database.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  output = '';
  private readonly childPids = new Set<number>();
  exitCode: number | null = null;

  constructor(
    readonly label: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  async start(timeoutMs = 30_000): Promise<this> {
    // Reset in a method of its own: an assignment here would narrow exitCode to null for the
    // whole loop below, which reads what the 'exit' handler writes.
    this.forgetLastRun();
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', WORKER_PROCESSES: '1', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.on('exit', (code, signal) => (this.exitCode = code ?? (signal ? 128 : 0)));
    const deadline = Date.now() + timeoutMs;
    while (!/Roles: /.test(this.output)) {
      if (this.exitCode !== null)
        throw new Error(`${this.label} exited with ${this.exitCode} during start-up:\n${this.output.slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`${this.label} did not start within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this;
  }

  private forgetLastRun(): void {
    this.output = '';
    this.exitCode = null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Its worker children (WORKER_PROCESSES) alive now, by the PIDs in their start-up log lines;
   * PIDs seen once are remembered, so trimming the captured output does not lose a child.
   */
  workerChildren(): number[] {
    for (const m of this.output.matchAll(/"pid":(\d+)[^\n]*"msg":"Worker process of \d+/g))
      this.childPids.add(Number(m[1]));
    return [...this.childPids].filter(isAlive);
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === null;
  }

  /** SIGKILL: no shutdown hook runs, as in a crash. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM and wait for the graceful shutdown to end. */
  async stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || this.exitCode !== null) return this.exitCode;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    return this.exitCode;
  }
}

/** Whether a process with this PID exists and has not exited (an exited orphan nobody reaped is a zombie: not alive). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "PID (comm) STATE ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
