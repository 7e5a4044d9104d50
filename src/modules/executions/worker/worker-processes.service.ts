import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { fork, type ChildProcess } from 'node:child_process';
import { AppConfig } from '../../../config/app-config';

/** Set in the environment of the worker processes this service starts (AppConfig.workerChildOf reads it). */
const WORKER_CHILD_ENV = 'JOBS_WORKER_CHILD';
/** A child that dies is started again after this, doubling up to RESTART_MAX_MS; reset once it has lived STABLE_MS. */
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 30_000;
const STABLE_MS = 60_000;

interface Slot {
  child: ChildProcess | undefined;
  startedAt: number;
  backoffMs: number;
  restart: NodeJS.Timeout | undefined;
  exited: Promise<void>;
}

/**
 * Uses the machine's cores for execution: a process with the worker role started by `main`
 * (not a test app, not the CLI) starts WORKER_PROCESSES − 1 worker-only copies of itself
 * (`ROLES=worker`, same environment, same embedded PostgreSQL through DATA_DIR), each in its own
 * process group so a terminal's Ctrl-C reaches only this one. A child that dies is started again
 * (backoff 1 s doubling to 30 s); its runs are recovered as any dead worker's (BullMQ's stalled
 * check, then the recovery sweep). On shutdown the children get SIGTERM and drain like this
 * process, which waits for them before it closes the database. A child whose parent vanishes
 * (its IPC channel closes) shuts itself down (see main.ts).
 */
@Injectable()
export class WorkerProcessesService implements OnModuleDestroy {
  private readonly logger = new Logger(WorkerProcessesService.name);
  private readonly slots: Slot[] = [];
  private entry: string | undefined;
  private stopping = false;

  constructor(private readonly config: AppConfig) {}

  /** Starts the worker children (none when WORKER_PROCESSES is 1). `entry`: this program's main script. */
  start(entry: string): void {
    this.entry = entry;
    const children = this.config.workerProcesses - 1;
    for (let i = 0; i < children; i++) {
      const slot: Slot = {
        child: undefined,
        startedAt: 0,
        backoffMs: RESTART_MIN_MS,
        restart: undefined,
        exited: Promise.resolve(),
      };
      this.slots.push(slot);
      this.spawn(slot);
    }
    if (children > 0)
      this.logger.log(`Started ${children} worker process(es): ${this.config.workerProcesses} processes execute runs`);
  }

  /** PIDs of the worker children alive now. */
  get pids(): number[] {
    return this.slots.flatMap((s) => (s.child?.pid !== undefined && s.child.exitCode === null ? [s.child.pid] : []));
  }

  private spawn(slot: Slot): void {
    if (this.stopping || !this.entry) return;
    const child = fork(this.entry, [], {
      env: { ...process.env, ROLES: 'worker', WORKER_PROCESSES: '1', [WORKER_CHILD_ENV]: String(process.pid) },
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    slot.child = child;
    slot.startedAt = Date.now();
    slot.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        resolve();
        this.onExit(slot, child, code, signal);
      }),
    );
    // An error to spawn also ends in 'exit' (or never started): say so.
    child.once('error', (error) => this.logger.error(`Worker process: ${error.message}`));
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    slot.child = undefined;
    if (this.stopping) return;
    if (Date.now() - slot.startedAt > STABLE_MS) slot.backoffMs = RESTART_MIN_MS;
    const wait = slot.backoffMs;
    slot.backoffMs = Math.min(RESTART_MAX_MS, slot.backoffMs * 2);
    this.logger.warn(
      `Worker process ${child.pid} exited (${signal ?? `code ${code}`}); starting another in ${wait / 1000} s`,
    );
    slot.restart = setTimeout(() => this.spawn(slot), wait);
  }

  /** SIGTERM to every child; resolves when all have exited (each bounds its own shutdown). */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) {
      clearTimeout(slot.restart);
      slot.child?.kill('SIGTERM');
    }
    await Promise.all(this.slots.map((s) => s.exited));
  }
}
