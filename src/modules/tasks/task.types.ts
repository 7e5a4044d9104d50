/** What a running task receives besides its arguments. */
export interface TaskContext {
  /** Aborted on timeout or cancellation; handlers pass it to I/O and check it between steps. */
  signal: AbortSignal;
  runId: number;
  jobId: number;
  jobName: string;
  attempt: number;
  /** The fire time this run is for (a manual run: when it was asked for). */
  scheduledFor: Date;
  /** Lines kept with the run (GET /executions/{id}/logs) and in the process log; `fields` are structured data. */
  logger: {
    /** Below LOG_LEVEL's default (info): kept in the run's log, not in the process log. */
    debug(msg: string, fields?: Record<string, unknown>): void;
    log(msg: string, fields?: Record<string, unknown>): void;
    warn(msg: string, fields?: Record<string, unknown>): void;
    error(msg: string, fields?: Record<string, unknown>): void;
  };
}

/** The handler contract: a class decorated with `@TaskHandler(name, …)`. */
export interface TaskHandlerInstance {
  /** `kwargs` are already validated (defaults applied); the result must be JSON-serialisable. */
  run(kwargs: Record<string, unknown>, ctx: TaskContext, args: unknown[]): Promise<unknown>;
  /**
   * Optional checks of valid kwargs that need the handler's configuration (on job save, on
   * execute and before each run); returns `task_kwargs.<field>: problem` lines, empty when fine.
   */
  checkKwargs?(kwargs: Record<string, unknown>): string[];
}

export interface TaskDescription {
  name: string;
  description: string;
  /** JSON Schema of the kwargs (names, types, defaults). */
  kwargs: Record<string, unknown>;
}
