import type { RunStatus } from './execution.entity';

/**
 * What happens to runs, announced on the process's event bus (@nestjs/event-emitter) for the
 * observers that follow them (metrics): the hot path emits, and never waits on or knows them.
 */
/** The error a run skipped under overlap policy `skip` carries. */
export const SKIPPED_RUN_ERROR = 'Skipped: the previous run was still going (overlap_policy skip)';

export const RUN_EVENTS = {
  /** A worker started a run (queued → running). */
  started: 'run.started',
  /** The worker is done with a run, whatever its outcome. */
  ended: 'run.ended',
  /** A run reached an outcome (worker, recovery sweep, cancel). */
  finished: 'run.finished',
  /** A worker's claim recorded runs as skipped (overlap policy `skip`): their job ids, one per run. */
  skipped: 'runs.skipped',
} as const;

export interface RunProgressEvent {
  jobId: number;
  taskQueue?: string;
  attempt?: number;
  scheduledFor?: Date;
}

export interface RunFinishedEvent {
  jobId: number;
  status: RunStatus;
  durationSeconds?: number | null;
}
