import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { JOB_RUN_SETTINGS_SQL, addRunsToJobStatsSql, addSkippedRunsToJobStatsSql } from '../jobs/job-run-sql';
import { Execution, type RunStatus, type RunTrigger } from './execution.entity';
import { SKIPPED_RUN_ERROR } from './run-events';

/**
 * Whether run `e` (of job `j`) overlaps under policy `skip`: a scheduled run whose previous run
 * still goes, that is a run of the job running, or queued for an earlier fire time. The runs of
 * one catch-up, already due when recorded together, are not each other's previous run; a run
 * claimed ahead of its fire time (not_before set) has no such siblings.
 */
const OVERLAPS_SQL = `(j.overlap_policy = 'skip' AND e."trigger" = 'schedule' AND EXISTS (
    SELECT 1 FROM executions o WHERE o.job_id = e.job_id AND o.id <> e.id
       AND (o.status = 'running'
            OR (o.status = 'queued' AND o.scheduled_for < e.scheduled_for
                AND (o.queued_at < e.queued_at OR e.not_before IS NOT NULL)))))`;

/** From a CTE `candidate (id, job_id, job_type, overlaps)`: records the overlapping ones skipped ($2 = the error), counted in their jobs' statistics. */
const SKIP_CTES_SQL = `skipped AS (
    UPDATE executions e SET status = 'skipped', finished_at = now(), duration_seconds = 0, error = $2
      FROM candidate c WHERE e.id = c.id AND c.overlaps
    RETURNING e.id, e.job_id, c.job_type
  ), skipped_stats AS (
    ${addSkippedRunsToJobStatsSql('skipped')}
  )`;

const SKIPPED_JSON_SQL = `(SELECT coalesce(json_agg(json_build_object('id', id, 'jobId', job_id, 'jobType', job_type)), '[]') FROM skipped)`;

/** A run claimed by a worker, with what it needs of its job. */
export interface ClaimedRun {
  id: number;
  jobId: number;
  jobName: string;
  attempt: number;
  trigger: RunTrigger;
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

/** A run recorded skipped (overlap policy `skip`), with its job's type. */
export interface SkippedRun {
  id: number;
  jobId: number;
  jobType: string;
}

/** What a claim did: the runs it started, and those it recorded skipped (overlap policy `skip`). */
export interface ClaimOutcome {
  started: ClaimedRun[];
  skipped: SkippedRun[];
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
  jobType: string;
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
   * claims), among the runs still queued whose job does not queue overlapping runs (the caller
   * sends the others through claimQueued one by one). A scheduled run of an overlap `skip` job
   * whose previous run still goes is recorded `skipped` instead, counted in its job's statistics:
   * "still goes" is a run of the job running, or queued for an earlier fire time (the runs of one
   * catch-up, already due when recorded together, are not each other's previous run; a run
   * claimed ahead of its fire time has no such siblings).
   */
  claimStartMany(runIds: number[], worker: string): Promise<ClaimOutcome> {
    return this.claimQuery(this.runs.manager, runIds, worker, `j.overlap_policy <> 'queue'`);
  }

  /**
   * claimStartMany for a run of an overlap_policy `queue` job, when it is its turn; nothing
   * claimed when it is not, or when the run is no longer queued. The job row lock serialises the
   * check "nothing else is running".
   */
  claimQueued(runId: number, worker: string): Promise<ClaimOutcome> {
    return this.runs.manager.transaction(async (tx) => {
      const locked: { id: number }[] = await tx.query(
        `SELECT j.id FROM executions e JOIN jobs j ON j.id = e.job_id
          WHERE e.id = $1 AND e.status = 'queued' AND j.overlap_policy = 'queue' FOR UPDATE OF j`,
        [runId],
      );
      if (locked.length === 0) return { started: [], skipped: [] };
      // Its turn: nothing of the job running, and no older run of it still waiting (first in, first out).
      return this.claimQuery(
        tx,
        [runId],
        worker,
        // (a scheduled run claimed ahead of its fire time is not waiting yet)
        `NOT EXISTS (SELECT 1 FROM executions o WHERE o.job_id = e.job_id AND o.id <> e.id
                        AND (o.status = 'running' OR (o.status = 'queued' AND o.id < e.id
                             AND NOT (o."trigger" = 'schedule' AND o.scheduled_for > now()))))`,
      );
    });
  }

  /**
   * At a fire time, before its runs claimed ahead go to the queues: each of `runIds` whose job's
   * overlap policy is `skip` and whose previous run still goes (running, or queued for an earlier
   * fire time) is recorded `skipped`, counted in its job's statistics. Returns those skipped.
   */
  async skipOverlapping(runIds: number[]): Promise<SkippedRun[]> {
    const rows: { skipped: SkippedRun[] }[] = await this.runs.query(
      `WITH candidate AS (
         SELECT e.id, e.job_id, j.job_type, ${OVERLAPS_SQL} AS overlaps
           FROM executions e JOIN jobs j ON j.id = e.job_id
          WHERE e.id = ANY($1::int[]) AND e.status = 'queued'
          FOR UPDATE OF e
       ), ${SKIP_CTES_SQL}
       SELECT ${SKIPPED_JSON_SQL} AS skipped`,
      [runIds, SKIPPED_RUN_ERROR],
    );
    return rows[0]?.skipped ?? [];
  }

  private async claimQuery(
    tx: EntityManager,
    runIds: number[],
    worker: string,
    condition: string,
  ): Promise<ClaimOutcome> {
    const rows: (ClaimedRun & { skipped: SkippedRun[] })[] = await tx.query(
      `WITH candidate AS (
         SELECT e.id, e.job_id, j.job_type, ${OVERLAPS_SQL} AS overlaps
           FROM executions e JOIN jobs j ON j.id = e.job_id
          WHERE e.id = ANY($1::int[]) AND e.status = 'queued' AND ${condition}
          FOR UPDATE OF e
       ), ${SKIP_CTES_SQL}, started AS (
         UPDATE executions e SET status = 'running', started_at = now(), worker = $3
           FROM candidate c, jobs j
          WHERE e.id = c.id AND NOT c.overlaps AND j.id = e.job_id
         RETURNING e.id, e.job_id AS "jobId", e.attempt, e."trigger", e.kwargs, e.scheduled_for AS "scheduledFor", ${JOB_RUN_SETTINGS_SQL}
       )
       SELECT m.skipped, s.*
         FROM (SELECT ${SKIPPED_JSON_SQL} AS skipped) m
         LEFT JOIN started s ON true`,
      [runIds, SKIPPED_RUN_ERROR, worker],
    );
    const started = rows.filter((r) => r.id !== null).map(({ skipped: _skipped, ...run }) => run);
    return { started, skipped: rows[0]?.skipped ?? [] };
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
       SELECT f.id, f.job_id AS "jobId", s.job_type AS "jobType", f.status, f.duration_seconds AS "durationSeconds", f.attempt,
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
