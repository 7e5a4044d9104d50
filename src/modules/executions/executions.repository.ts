import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { PageRequest } from '../../common/pagination';
import { Execution, type RunStatus, type RunTrigger } from './execution.entity';
import { CHANNEL_RUN_CANCELLED, notifyOnCommit } from '../../database/pg-notifier.service';

export interface NewRun {
  jobId: number;
  status: RunStatus;
  trigger: RunTrigger;
  scheduledFor: Date;
  attempt?: number;
  kwargs: Record<string, unknown>;
  triggeredBy: string | null;
  notBefore?: Date | null;
  retryOf?: number | null;
  error?: string | null;
}

export interface InsertedRun {
  id: number;
  jobId: number;
  status: RunStatus;
}

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

export interface RunFilter {
  jobId?: number;
  status?: RunStatus;
  trigger?: RunTrigger;
  from?: Date;
  to?: Date;
}

export interface EnqueueTarget {
  id: number;
  taskQueue: string;
  taskPriority: number;
  notBefore: Date | null;
}

/** Up to this many runs, unfiltered lists count exactly. */
const EXACT_COUNT_LIMIT = 100_000;
/** How long a read of the planner's estimate is reused. */
const ESTIMATE_REUSE_MS = 5_000;

const JOB_FIELDS = `j.name AS "jobName", j.task_name AS "taskName", j.task_args AS "taskArgs", j.timeout_seconds AS "timeoutSeconds",
  j.max_retries AS "maxRetries", j.retry_backoff_seconds AS "retryBackoffSeconds", j.task_queue AS "taskQueue", j.task_priority AS "taskPriority"`;

/** SQL for runs: recording, claiming, finishing, recovering and listing them. */
@Injectable()
export class ExecutionsRepository {
  private estimate: { n: number; at: number } | undefined;

  constructor(@InjectRepository(Execution) private readonly runs: Repository<Execution>) {}

  /** Inserts runs; a second `schedule` run for one (job, fire time) is silently not inserted. */
  async insertRuns(tx: EntityManager, rows: NewRun[]): Promise<InsertedRun[]> {
    if (rows.length === 0) return [];
    const final = (r: NewRun) => r.status !== 'queued';
    return tx.query(
      `INSERT INTO executions (job_id, status, "trigger", scheduled_for, attempt, kwargs, triggered_by, not_before, retry_of, error, finished_at, duration_seconds)
       SELECT job_id, status, trg, scheduled_for, attempt, kwargs, triggered_by, not_before, retry_of, error,
              CASE WHEN is_final THEN now() END, CASE WHEN is_final THEN 0 END
         FROM unnest($1::int[], $2::varchar[], $3::varchar[], $4::timestamptz[], $5::smallint[], $6::jsonb[], $7::varchar[], $8::timestamptz[], $9::int[], $10::bool[], $11::text[])
              AS t(job_id, status, trg, scheduled_for, attempt, kwargs, triggered_by, not_before, retry_of, is_final, error)
       ON CONFLICT (job_id, scheduled_for) WHERE "trigger" = 'schedule' DO NOTHING
       RETURNING id, job_id AS "jobId", status`,
      [
        rows.map((r) => r.jobId),
        rows.map((r) => r.status),
        rows.map((r) => r.trigger),
        rows.map((r) => r.scheduledFor),
        rows.map((r) => r.attempt ?? 1),
        rows.map((r) => JSON.stringify(r.kwargs)),
        rows.map((r) => r.triggeredBy),
        rows.map((r) => r.notBefore ?? null),
        rows.map((r) => r.retryOf ?? null),
        rows.map(final),
        rows.map((r) => r.error ?? null),
      ],
    );
  }

  /** Jobs among `jobIds` that have a run queued or running. */
  async jobsWithActiveRuns(tx: EntityManager, jobIds: number[]): Promise<Set<number>> {
    if (jobIds.length === 0) return new Set();
    const rows: { job_id: number }[] = await tx.query(
      `SELECT DISTINCT job_id FROM executions WHERE job_id = ANY($1::int[]) AND status IN ('queued', 'running')`,
      [jobIds],
    );
    return new Set(rows.map((r) => r.job_id));
  }

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
      const locked = await tx.query(
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
    const [rows] = await tx.query(
      `UPDATE executions e SET status = 'running', started_at = now(), worker = $2
         FROM jobs j
        WHERE e.id = ANY($1::int[]) AND e.status = 'queued' AND j.id = e.job_id AND ${condition}
        RETURNING e.id, e.job_id AS "jobId", e.attempt, e.kwargs, e.scheduled_for AS "scheduledFor", ${JOB_FIELDS}`,
      [runIds, worker],
    );
    return rows as ClaimedRun[];
  }

  async statusOf(runId: number): Promise<RunStatus | null> {
    const rows: { status: RunStatus }[] = await this.runs.query(`SELECT status FROM executions WHERE id = $1`, [runId]);
    return rows[0]?.status ?? null;
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
         UPDATE jobs j SET total_runs = total_runs + p.n,
                successful_runs = successful_runs + p.succeeded,
                failed_runs = failed_runs + p.failed,
                total_duration_seconds = total_duration_seconds + p.duration,
                last_run_at = now() - make_interval(secs => p.last_duration),
                last_run_status = p.last_status
           FROM per_job p WHERE j.id = p.job_id
          RETURNING j.id, j.max_retries, j.retry_backoff_seconds, j.task_queue, j.task_priority
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

  /** Tells every worker (through LISTEN/NOTIFY, on commit) that this run was cancelled. */
  async notifyCancelled(tx: EntityManager, runId: number): Promise<void> {
    await notifyOnCommit(tx, CHANNEL_RUN_CANCELLED, String(runId));
  }

  /** Counts skipped runs recorded by the dispatcher in its own transaction. */
  async addSkippedToJobStats(tx: EntityManager, jobIds: number[]): Promise<void> {
    if (jobIds.length === 0) return;
    await tx.query(
      `UPDATE jobs j SET total_runs = total_runs + t.n, last_run_status = 'skipped'
         FROM (SELECT id, count(*)::int AS n FROM unnest($1::int[]) AS id GROUP BY id) t WHERE j.id = t.id`,
      [jobIds],
    );
  }

  /** Runs still queued long after they were due: their enqueue may have been lost in a crash. */
  staleQueued(olderThanSeconds: number, limit: number): Promise<EnqueueTarget[]> {
    return this.runs.query(
      `SELECT e.id, j.task_queue AS "taskQueue", j.task_priority AS "taskPriority", e.not_before AS "notBefore"
         FROM executions e JOIN jobs j ON j.id = e.job_id
        WHERE e.status = 'queued' AND coalesce(e.not_before, e.queued_at) < now() - make_interval(secs => $1::float8)
        ORDER BY e.id LIMIT $2`,
      [olderThanSeconds, limit],
    );
  }

  /** Runs `running` well past their job's timeout: their worker is gone. */
  async staleRunning(graceSeconds: number, limit: number): Promise<number[]> {
    const rows: { id: number }[] = await this.runs.query(
      `SELECT e.id FROM executions e JOIN jobs j ON j.id = e.job_id
        WHERE e.status = 'running' AND e.started_at < now() - make_interval(secs => j.timeout_seconds + $1::int)
        ORDER BY e.id LIMIT $2`,
      [graceSeconds, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Every queue some job uses (workers without WORKER_QUEUES consume them all). */
  async knownQueues(): Promise<string[]> {
    const rows: { task_queue: string }[] = await this.runs.query(`SELECT DISTINCT task_queue FROM jobs`);
    return rows.map((r) => r.task_queue);
  }

  async jobExists(jobId: number): Promise<boolean> {
    return (await this.runs.query(`SELECT 1 FROM jobs WHERE id = $1`, [jobId])).length > 0;
  }

  findById(id: number): Promise<Execution | null> {
    return this.runs.findOneBy({ id });
  }

  findByIdForUpdate(tx: EntityManager, id: number): Promise<Execution | null> {
    return tx
      .getRepository(Execution)
      .createQueryBuilder('run')
      .setLock('pessimistic_write')
      .where('run.id = :id', { id })
      .getOne();
  }

  /**
   * A page of runs, newest first, and the total. The unfiltered total of a large table is the
   * planner's estimate: an exact count(*) over millions of runs on every page costs more than
   * the page itself (see README, Benchmarks).
   */
  async list(filter: RunFilter, page: PageRequest): Promise<[Execution[], number]> {
    const qb = this.runs.createQueryBuilder('run');
    if (filter.jobId !== undefined) qb.andWhere('run.jobId = :jobId', { jobId: filter.jobId });
    if (filter.status) qb.andWhere('run.status = :status', { status: filter.status });
    if (filter.trigger) qb.andWhere('run.trigger = :trigger', { trigger: filter.trigger });
    if (filter.from) qb.andWhere('run.scheduledFor >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('run.scheduledFor < :to', { to: filter.to });
    qb.orderBy('run.id', 'DESC')
      .skip((page.page - 1) * page.size)
      .take(page.size);
    const unfiltered = Object.values(filter).every((v) => v === undefined);
    const estimate = unfiltered ? await this.estimatedCount() : null;
    if (estimate === null) return qb.getManyAndCount();
    return [await qb.getMany(), estimate];
  }

  /**
   * The planner's row estimate once the table is large; null below that (count exactly).
   * ANALYZE refreshes it now and then, so it is read at most every few seconds.
   */
  private async estimatedCount(): Promise<number | null> {
    if (!this.estimate || Date.now() - this.estimate.at > ESTIMATE_REUSE_MS) {
      const [row] = await this.runs.query(
        `SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'executions'::regclass`,
      );
      this.estimate = { n: Number(row?.n ?? -1), at: Date.now() };
    }
    return this.estimate.n >= EXACT_COUNT_LIMIT ? this.estimate.n : null;
  }
}
