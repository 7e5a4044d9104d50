import type { EmbeddedPostgres, Postmaster } from './embedded-postgres';

/** up: running; restarting: gone, being restarted; failed: restarts keep failing (liveness fails); stopped: shutdown. */
export type SupervisionState = 'up' | 'restarting' | 'failed' | 'stopped';

export interface SupervisionStatus {
  state: SupervisionState;
  port: number;
  pid: number;
  /** Restarts that succeeded since this process started it. */
  restarts: number;
  /** Failed restart attempts in a row (0 while up). */
  failed_attempts: number;
  down_since: string | null;
  last_error: string | null;
}

export interface SupervisorOptions {
  /** Failed restarts in a row after which the process counts as unable to recover. */
  maxFailures: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** How often the postmaster's pid is checked (an adopted server is not our child: no exit event). */
  pollMs?: number;
}

interface SupervisorLog {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Keeps the embedded PostgreSQL this process started (or adopted) running: when the
 * postmaster exits (its exit event, or its pid found gone), it is started again on the same
 * port, so every pool reconnects by itself. Attempts back off from 0.5 s, doubling to 30 s;
 * after `maxFailures` failed attempts in a row the state is `failed` (liveness reports it so an
 * orchestrator restarts the process), and attempts go on every 30 s.
 */
export class EmbeddedSupervisor {
  private state: SupervisionState = 'up';
  private current: Postmaster;
  private restarts = 0;
  private failures = 0;
  private downSince: number | undefined;
  private lastError: string | undefined;
  private delayMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly server: EmbeddedPostgres,
    postmaster: Postmaster,
    private readonly options: SupervisorOptions,
    private readonly logger: SupervisorLog,
  ) {
    this.firstDelayMs = options.firstDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.current = postmaster;
    this.watch(postmaster);
  }

  status(): SupervisionStatus {
    return {
      state: this.state,
      port: this.current.port,
      pid: this.current.pid,
      restarts: this.restarts,
      failed_attempts: this.failures,
      down_since: this.downSince ? new Date(this.downSince).toISOString() : null,
      last_error: this.lastError ?? null,
    };
  }

  /** Shutdown: no further restart (a start under way notices and stops what it started). */
  stop(): void {
    this.state = 'stopped';
    clearTimeout(this.timer);
    clearInterval(this.poll);
  }

  private watch(postmaster: Postmaster): void {
    this.current = postmaster;
    void postmaster.exited?.then((how) => this.lost(postmaster, how));
    clearInterval(this.poll);
    this.poll = setInterval(() => void this.check(postmaster), this.options.pollMs ?? 1000);
    this.poll.unref();
  }

  private async check(postmaster: Postmaster): Promise<void> {
    if (this.current !== postmaster || this.state !== 'up') return;
    if (!(await this.server.postmasterAlive(postmaster.pid))) this.lost(postmaster, `pid ${postmaster.pid} is gone`);
  }

  private lost(postmaster: Postmaster, how: string): void {
    if (this.current !== postmaster || this.state !== 'up') return;
    clearInterval(this.poll);
    this.state = 'restarting';
    this.downSince = Date.now();
    this.failures = 0;
    this.delayMs = this.firstDelayMs;
    this.logger.warn(`embedded PostgreSQL exited (${how}); restarting in ${seconds(this.delayMs)}`);
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.attempt(), this.delayMs);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.state === 'stopped') return;
    const port = this.current.port;
    try {
      const { postmaster, adopted } = await this.server.restart(port);
      if (this.stopped) return;
      this.restarts++;
      this.state = 'up';
      this.failures = 0;
      this.downSince = undefined;
      this.lastError = undefined;
      this.logger.log(
        adopted
          ? `embedded PostgreSQL is back on port ${port} (started by another process of this service)`
          : `embedded PostgreSQL restarted on port ${port}`,
      );
      this.watch(postmaster);
    } catch (error) {
      if (this.stopped) return;
      this.failures++;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.delayMs = Math.min(this.delayMs * 2, this.maxDelayMs);
      this.logger.warn(
        `embedded PostgreSQL restart failed (attempt ${this.failures}): ${this.lastError}; retrying in ${seconds(this.delayMs)}`,
      );
      if (this.failures >= this.options.maxFailures && this.state !== 'failed') {
        this.state = 'failed';
        this.logger.error(
          `embedded PostgreSQL could not be restarted ${this.failures} times in a row (EMBEDDED_PG_RESTART_ATTEMPTS): liveness (/health) now fails so that the process is restarted`,
        );
      }
      this.schedule();
    }
  }

  /** Read through a getter: `attempt` awaits, and `stop()` may run meanwhile. */
  private get stopped(): boolean {
    return this.state === 'stopped';
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
