import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { JOB_RUN_SETTINGS_SQL, addRunsToJobStatsSql } from '../jobs/job-run-sql';
import { Execution, type RunStatus } from './execution.entity';

/** A run claimed by a worker, with what it needs of its job. */
export interface ClaimedRun {
  id: number;
  jobId: number;
  jobName: string;
  attempt: number;
  kwargs: Record<string, unknown>;
  scheduledFor: Date;
  taskName: string;
  taskArgs: unknown[];
  timeoutSeconds: number;
  maxRetries: number;
  retryBackoffSeconds: number;
  taskQueue: string;
  taskPriority: number;
}

/** What a caller reports about a run's end. */
export interface RunOutcomeInput {
  status: RunStatus;
  result?: unknown;
  error?: string | null;
}

export interface FinishedRun {
  id: number;
  jobId: number;
  status: RunStatus;
  durationSeconds: number | null;
  attempt: number;
  taskQueue: string;
  taskPriority: number;
  /** The retry recorded with this outcome (a failed attempt with attempts left), if any. */
  retry: { id: number; notBefore: Date } | null;
}

/**
 * The worker's hot path: claiming queued runs with their job's settings, and recording outcomes
 * with the jobs' statistics and the retries, each a single statement (the jobs side of the SQL
 * comes from the jobs module, job-run-sql.ts).
 */
@Injectable()
export class RunOutcomesRepository {
  constructor(@InjectRepository(Execution) private readonly runs: Repository<Execution>) {}

  /**
   * queued → running for this worker, for many runs in one statement (the worker's batched
   * claims): the runs claimed, that is those still queued whose job does not queue overlapping
   * runs. The caller sends the others through claimQueued one by one.
   */
  claimStartMany(runIds: number[], worker: string): Promise<ClaimedRun[]> {
    return this.claimQuery(this.runs.manager, runIds, worker, `j.overlap_policy <> 'queue'`);
  }

  /**
   * queued → running for a run of an overlap_policy `queue` job, when it is its turn; null when
   * it is not, or when the run is no longer queued. The job row lock serialises the check
   * "nothing else is running".
   */
  claimQueued(runId: number, worker: string): Promise<ClaimedRun | null> {
    return this.runs.manager.transaction(async (tx) => {
      const locked: { id: number }[] = await tx.query(
        `SELECT j.id FROM executions e JOIN jobs j ON j.id = e.job_id
          WHERE e.id = $1 AND e.status = 'queued' AND j.overlap_policy = 'queue' FOR UPDATE OF j`,
        [runId],
      );
      if (locked.length === 0) return null;
      // Its turn: nothing of the job running, and no older run of it still waiting (first in, first out).
      const [claimed] = await this.claimQuery(
        tx,
        [runId],
        worker,
        `NOT EXISTS (SELECT 1 FROM executions o WHERE o.job_id = e.job_id AND o.id <> e.id
                        AND (o.status = 'running' OR (o.status = 'queued' AND o.id < e.id)))`,
      );
      return claimed ?? null;
    });
  }

  private async claimQuery(
    tx: EntityManager,
    runIds: number[],
    worker: string,
    condition: string,
  ): Promise<ClaimedRun[]> {
    const [rows]: [ClaimedRun[], number] = await tx.query(
      `UPDATE executions e SET status = 'running', started_at = now(), worker = $2
         FROM jobs j
        WHERE e.id = ANY($1::int[]) AND e.status = 'queued' AND j.id = e.job_id AND ${condition}
        RETURNING e.id, e.job_id AS "jobId", e.attempt, e.kwargs, e.scheduled_for AS "scheduledFor", ${JOB_RUN_SETTINGS_SQL}`,
      [runIds, worker],
    );
    return rows;
  }

  /** finishRuns for one run: its FinishedRun, or null when it was not in one of `onlyFrom`. */
  async finishRun(
    db: EntityManager,
    runId: number,
    outcome: RunOutcomeInput,
    onlyFrom: RunStatus[],
  ): Promise<FinishedRun | null> {
    const [finished] = await this.finishRuns(db, [{ runId, outcome }], onlyFrom);
    return finished ?? null;
  }

  /**
   * Records the outcomes of runs that are in one of `onlyFrom` (the others are left alone and
   * left out of the answer), adds them to their jobs' statistics (several runs of one job
   * count once each), and — for a failed or timed-out attempt with attempts left — records
   * the retry after `retry_backoff_seconds × 2^(attempt−1)`. One statement: atomic on its own,
   * and one round trip for a whole batch on the workers' hot path.
   */
  async finishRuns(
    db: EntityManager,
    items: readonly { runId: number; outcome: RunOutcomeInput }[],
    onlyFrom: RunStatus[],
  ): Promise<FinishedRun[]> {
    if (items.length === 0) return [];
    const rows: (Omit<FinishedRun, 'retry'> & { retryId: number | null; retryNotBefore: Date | null })[] =
      await db.query(
        `WITH input AS (
         SELECT * FROM unnest($1::int[], $2::varchar[], $3::jsonb[], $4::text[]) AS t(id, status, result, error)
       ), finished AS (
         UPDATE executions e SET status = i.status, finished_at = now(), result = i.result, error = i.error,
                duration_seconds = CASE WHEN e.started_at IS NULL THEN 0 ELSE extract(epoch FROM now() - e.started_at) END
           FROM input i
          WHERE e.id = i.id AND e.status = ANY($5::varchar[])
          RETURNING e.id, e.job_id, e.status, e.duration_seconds, e.attempt, e.scheduled_for, e.kwargs, e.triggered_by
       ), per_job AS (
         SELECT job_id, count(*)::int AS n,
                count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
                count(*) FILTER (WHERE status IN ('failed', 'timed_out'))::int AS failed,
                coalesce(sum(duration_seconds) FILTER (WHERE status IN ('succeeded', 'failed', 'timed_out')), 0) AS duration,
                (array_agg(status ORDER BY id DESC))[1] AS last_status,
                (array_agg(duration_seconds ORDER BY id DESC))[1] AS last_duration
           FROM finished GROUP BY job_id
       ), stats AS (
         ${addRunsToJobStatsSql('per_job')}
       ), retry AS (
         INSERT INTO executions (job_id, status, "trigger", scheduled_for, attempt, kwargs, triggered_by, not_before, retry_of)
         SELECT f.job_id, 'queued', 'retry', f.scheduled_for, f.attempt + 1, f.kwargs, f.triggered_by,
                now() + make_interval(secs => s.retry_backoff_seconds * power(2, f.attempt - 1)), f.id
           FROM finished f JOIN stats s ON s.id = f.job_id
          WHERE f.status IN ('failed', 'timed_out') AND f.attempt <= s.max_retries
          RETURNING id, retry_of, not_before
       )
       SELECT f.id, f.job_id AS "jobId", f.status, f.duration_seconds AS "durationSeconds", f.attempt,
              s.task_queue AS "taskQueue", s.task_priority AS "taskPriority", r.id AS "retryId", r.not_before AS "retryNotBefore"
         FROM finished f LEFT JOIN stats s ON s.id = f.job_id LEFT JOIN retry r ON r.retry_of = f.id`,
        [
          items.map((i) => i.runId),
          items.map((i) => i.outcome.status),
          items.map((i) => (i.outcome.result === undefined ? null : JSON.stringify(i.outcome.result))),
          items.map((i) => i.outcome.error ?? null),
          onlyFrom,
        ],
      );
    return rows.map(({ retryId, retryNotBefore, ...run }) => ({
      ...run,
      durationSeconds: run.durationSeconds === null ? null : Number(run.durationSeconds),
      retry: retryId === null ? null : { id: retryId, notBefore: retryNotBefore! },
    }));
  }
}
