import type { RunStatus, RunTrigger } from './execution.entity';

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
  /** Runs were recorded skipped (overlap policy `skip`): one RunSkippedEvent per run. */
  skipped: 'runs.skipped',
} as const;

export interface RunProgressEvent {
  jobId: number;
  taskQueue?: string;
  attempt?: number;
  trigger?: RunTrigger;
  scheduledFor?: Date;
}

export interface RunFinishedEvent {
  jobId: number;
  /** The job's job_type, read by the statement that recorded the outcome (saves the observers a lookup). */
  jobType?: string;
  status: RunStatus;
  durationSeconds?: number | null;
  /** The retry recorded with this outcome (a failed attempt with attempts left), if any. */
  retry?: { id: number } | null;
}

export interface RunSkippedEvent {
  jobId: number;
  jobType?: string;
}
