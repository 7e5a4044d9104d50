import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type EntityManager, type Repository } from 'typeorm';
import type { PageRequest } from '../../common/pagination';
import { Execution, FINAL_STATUSES_SQL, FIRE_TIME_RUN_SQL, type RunStatus, type RunTrigger } from './execution.entity';
import { CHANNEL_RUN_CANCELLED, notifyOnCommit } from '../../database/pg-notifier.service';
import { EntityRows } from '../../database/entity-rows';

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
  scheduledFor: Date;
  notBefore: Date | null;
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

/** The statuses of runs that ran to an end: their durations make the overview's p95. */
const DURATION_STATUSES_SQL = `('succeeded', 'failed', 'timed_out')`;
/** lock_not_available (lock_timeout) and deadlock_detected: the expiry gave way to a writer. */
const GIVE_WAY_CODES = new Set(['55P03', '40P01']);

/** Runs finished in the last 24 hours: by status, and a histogram of their durations. */
export interface LastDayFigures {
  byStatus: { key: string; n: number }[];
  total: number;
  /** Bucket bounds in seconds, and one count more than bounds (see histogramQuantile). */
  durations: { bounds: number[]; counts: number[] };
  /** Rows of minutes that have left the window and are not expired yet. */
  stale: number;
}

/** A finished run as an alert tells of it (ExecutionsRepository.alertFacts). */
export interface RunAlertFacts {
  id: number;
  status: RunStatus;
  scheduledFor: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationSeconds: number | null;
  attempt: number;
  error: string | null;
  jobId: number;
  jobName: string;
  jobType: string;
  notifyChannelIds: number[];
  notifyOn: string[];
  /** How the job's previous fire time ended (successes of jobs asking for job.recovered only). */
  previousStatus: RunStatus | null;
}

/** Up to this many runs, unfiltered lists count exactly. */
const EXACT_COUNT_LIMIT = 100_000;
/** How long a read of the planner's estimate is reused. */
const ESTIMATE_REUSE_MS = 5_000;

/** SQL for runs: recording, finding, listing, recovering and pruning them (claims and outcomes: RunOutcomesRepository). */
@Injectable()
export class ExecutionsRepository {
  private estimate: { n: number; at: number } | undefined;

  private readonly rows: EntityRows<Execution>;

  constructor(@InjectRepository(Execution) private readonly runs: Repository<Execution>) {
    this.rows = new EntityRows(runs);
  }

  /**
   * Inserts runs; a second `schedule` or `backfill` run for one (job, fire time) is silently not
   * inserted and left out of the answer (an uncommitted one of another transaction is waited for).
   */
  async insertRuns(tx: EntityManager, rows: NewRun[]): Promise<InsertedRun[]> {
    if (rows.length === 0) return [];
    const final = (r: NewRun) => r.status !== 'queued';
    return tx.query(
      `INSERT INTO executions (job_id, status, "trigger", scheduled_for, attempt, kwargs, triggered_by, not_before, retry_of, error, finished_at, duration_seconds)
       SELECT job_id, status, trg, scheduled_for, attempt, kwargs, triggered_by, not_before, retry_of, error,
              CASE WHEN is_final THEN now() END, CASE WHEN is_final THEN 0 END
         FROM unnest($1::int[], $2::varchar[], $3::varchar[], $4::timestamptz[], $5::smallint[], $6::jsonb[], $7::varchar[], $8::timestamptz[], $9::int[], $10::bool[], $11::text[])
              AS t(job_id, status, trg, scheduled_for, attempt, kwargs, triggered_by, not_before, retry_of, is_final, error)
       ON CONFLICT (job_id, scheduled_for) WHERE ${FIRE_TIME_RUN_SQL} DO NOTHING
       RETURNING id, job_id AS "jobId", status, scheduled_for AS "scheduledFor", not_before AS "notBefore"`,
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

  /** Those of `times` (as epoch milliseconds) that have a `schedule` or `backfill` run of the job (a plain read: it waits for no writer). */
  async fireTimesWithRuns(tx: EntityManager, jobId: number, times: Date[]): Promise<Set<number>> {
    if (times.length === 0) return new Set();
    const rows: { at: Date }[] = await tx.query(
      `SELECT scheduled_for AS at FROM executions WHERE job_id = $1 AND scheduled_for = ANY($2::timestamptz[]) AND ${FIRE_TIME_RUN_SQL}`,
      [jobId, times],
    );
    return new Set(rows.map((r) => r.at.getTime()));
  }

  /** The latest fire time with a `schedule` or `backfill` run of the job (through the unique fire-time index), or null. */
  async latestFireTime(tx: EntityManager, jobId: number): Promise<Date | null> {
    const [row]: { at: Date | null }[] = await tx.query(
      `SELECT max(scheduled_for) AS at FROM executions WHERE job_id = $1 AND ${FIRE_TIME_RUN_SQL}`,
      [jobId],
    );
    return row?.at ?? null;
  }

  /**
   * Deletes the job's scheduled runs claimed ahead of their fire time and not started (queued,
   * fire time after the transaction's start): they were claimed under a definition that just
   * changed. They no longer count as its scheduled runs. Answers their fire times.
   */
  async deleteClaimedAhead(tx: EntityManager, jobId: number): Promise<Date[]> {
    const rows: { at: Date }[] = await tx.query(
      `WITH dropped AS (
         DELETE FROM executions WHERE job_id = $1 AND "trigger" = 'schedule' AND status = 'queued' AND scheduled_for > now()
         RETURNING scheduled_for
       ), uncounted AS (
         UPDATE jobs SET scheduled_runs = greatest(0, scheduled_runs - (SELECT count(*) FROM dropped)::int)
          WHERE id = $1 AND EXISTS (SELECT 1 FROM dropped)
       )
       SELECT scheduled_for AS at FROM dropped`,
      [jobId],
    );
    return rows.map((r) => r.at);
  }

  /** Deletes those of `runIds` still queued (runs claimed ahead, given back); returns what went. */
  async deleteQueued(
    tx: EntityManager,
    runIds: number[],
  ): Promise<{ id: number; jobId: number; scheduledFor: Date }[]> {
    // The scheduled runs among them no longer count as their jobs' scheduled runs.
    return tx.query(
      `WITH dropped AS (
         DELETE FROM executions WHERE id = ANY($1::int[]) AND status = 'queued'
         RETURNING id, job_id, scheduled_for, "trigger"
       ), uncounted AS (
         UPDATE jobs j SET scheduled_runs = greatest(0, j.scheduled_runs - d.n)
           FROM (SELECT job_id, count(*)::int AS n FROM dropped WHERE "trigger" = 'schedule' GROUP BY job_id) d
          WHERE j.id = d.job_id
       )
       SELECT id, job_id AS "jobId", scheduled_for AS "scheduledFor" FROM dropped`,
      [runIds],
    );
  }

  /**
   * Jobs among `jobIds` that have a run going: running, or queued and due (a scheduled run claimed
   * ahead of its fire time is not going yet).
   */
  async jobsWithActiveRuns(tx: EntityManager, jobIds: number[]): Promise<Set<number>> {
    if (jobIds.length === 0) return new Set();
    const rows: { job_id: number }[] = await tx.query(
      `SELECT DISTINCT job_id FROM executions WHERE job_id = ANY($1::int[])
          AND (status = 'running' OR (status = 'queued' AND NOT ("trigger" = 'schedule' AND scheduled_for > now())))`,
      [jobIds],
    );
    return new Set(rows.map((r) => r.job_id));
  }

  async statusOf(runId: number): Promise<RunStatus | null> {
    const rows: { status: RunStatus }[] = await this.runs.query(`SELECT status FROM executions WHERE id = $1`, [runId]);
    return rows[0]?.status ?? null;
  }

  /**
   * The runs that those of `runIds` replace (their job's overlap policy is `replace`): the job's
   * other runs running, or queued for an earlier fire time; locked for the rest of `tx`.
   */
  runsReplacedBy(
    tx: EntityManager,
    runIds: number[],
  ): Promise<{ id: number; status: RunStatus; replacedBy: number; taskQueue: string }[]> {
    return tx.query(
      `WITH pairs AS (
         SELECT o.id, o.status, e.id AS replaced_by, j.task_queue
           FROM executions e
           JOIN jobs j ON j.id = e.job_id AND j.overlap_policy = 'replace'
           JOIN executions o ON o.job_id = e.job_id AND o.id <> e.id
          WHERE e.id = ANY($1::int[]) AND e.status = 'queued'
            AND (o.status = 'running' OR (o.status = 'queued' AND o.scheduled_for < e.scheduled_for))
          FOR UPDATE OF o
       )
       SELECT DISTINCT ON (id) id, status, replaced_by AS "replacedBy", task_queue AS "taskQueue"
         FROM pairs ORDER BY id, replaced_by DESC`,
      [runIds],
    );
  }

  /** Tells every worker (through LISTEN/NOTIFY, on commit) that this run was cancelled. */
  async notifyCancelled(tx: EntityManager, runId: number): Promise<void> {
    await notifyOnCommit(tx, CHANNEL_RUN_CANCELLED, String(runId));
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

  /** Deletes up to `limit` finished runs that ended before `cutoff`; returns how many went. */
  async deleteFinishedBefore(cutoff: Date, limit: number): Promise<number> {
    const rows: { n: string }[] = await this.runs.query(
      `WITH gone AS (
         DELETE FROM executions WHERE id IN (
           SELECT id FROM executions WHERE finished_at < $1 AND status IN ${FINAL_STATUSES_SQL} ORDER BY id LIMIT $2
         ) RETURNING id
       ) SELECT count(*) AS n FROM gone`,
      [cutoff, limit],
    );
    return Number(rows[0].n);
  }

  /**
   * Runs finished in the last 24 hours (whole minutes: the current one and the 1,439 before it)
   * by status, and the histogram of the durations of those that ran to an end (succeeded,
   * failed, timed out), from the aggregates the executions triggers keep (migration
   * OverviewAggregates): `run_window` holds every minute not yet expired, so the minutes that
   * have left the window since are subtracted. `stale` counts those minutes' rows.
   */
  async lastDay(): Promise<LastDayFigures> {
    const [row]: {
      byStatus: { key: string; n: number }[];
      total: number;
      bounds: number[];
      counts: string[] | null;
      stale: number;
    }[] = await this.runs.query(
      `WITH live AS (
         SELECT status, runs, durations, 1 AS sign FROM run_window
         UNION ALL
         SELECT status, runs, durations, -1 FROM run_minutes WHERE minute < run_window_start()
       ), by_status AS (
         SELECT status, sum(sign * runs)::int AS n FROM live GROUP BY status HAVING sum(sign * runs) <> 0
       )
       SELECT (SELECT coalesce(json_agg(json_build_object('key', status, 'n', n)), '[]') FROM by_status) AS "byStatus",
              (SELECT coalesce(sum(n), 0)::int FROM by_status) AS total,
              run_duration_bounds() AS bounds,
              (SELECT array_agg(n ORDER BY i) FROM (
                 SELECT u.i, sum(l.sign * u.n) AS n FROM live l, unnest(l.durations) WITH ORDINALITY AS u(n, i)
                  WHERE l.status IN ${DURATION_STATUSES_SQL} GROUP BY u.i) h) AS counts,
              (SELECT count(*)::int FROM run_minutes WHERE minute < run_window_start()) AS stale`,
    );
    return {
      byStatus: row.byStatus,
      total: row.total,
      durations: {
        bounds: row.bounds,
        counts: row.counts?.map(Number) ?? new Array<number>(row.bounds.length + 1).fill(0),
      },
      stale: row.stale,
    };
  }

  /** Runs that ended per hour of the 24-hour window (from run_minutes), with the failed and timed-out ones. */
  runsPerHour(): Promise<{ hour: Date; runs: number; failed: number }[]> {
    return this.runs.query(
      `SELECT date_trunc('hour', minute) AS hour, sum(runs)::int AS runs,
              coalesce(sum(runs) FILTER (WHERE status IN ('failed', 'timed_out')), 0)::int AS failed
         FROM run_minutes WHERE minute >= run_window_start() GROUP BY 1 ORDER BY 1`,
    );
  }

  /**
   * Deletes the minutes that have left the 24-hour window from `run_minutes` and subtracts them
   * from `run_window`, in one transaction. Housekeeping only (reads subtract them meanwhile), so
   * it gives way: one at a time (advisory lock), and it gives up on waiting for a row a writer
   * holds rather than making that writer wait or deadlock. Returns how many rows went.
   */
  async expireRunMinutes(): Promise<number> {
    try {
      return await this.runs.manager.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '100ms'`);
        const [{ locked }]: { locked: boolean }[] = await tx.query(
          `SELECT pg_try_advisory_xact_lock(hashtext('run_minutes_expire')) AS locked`,
        );
        if (!locked) return 0;
        const [{ n }]: { n: number }[] = await tx.query(
          `WITH gone AS (
             DELETE FROM run_minutes WHERE minute < run_window_start() RETURNING shard, status, runs, durations
           ), per_key AS (
             SELECT shard, status, sum(runs) AS runs, count(*) AS n FROM gone GROUP BY shard, status
           ), per_bucket AS (
             SELECT g.shard, g.status, u.i::int AS bucket, sum(u.n)::bigint AS n
               FROM gone g, unnest(g.durations) WITH ORDINALITY AS u(n, i) GROUP BY 1, 2, 3
           ), subtracted AS (
             UPDATE run_window w
                SET runs = w.runs - k.runs,
                    durations = run_histogram_add(w.durations, (
                      SELECT run_histogram(array_agg(b.bucket), array_agg(-b.n))
                        FROM per_bucket b WHERE b.shard = k.shard AND b.status = k.status))
               FROM per_key k WHERE w.shard = k.shard AND w.status = k.status
           )
           SELECT coalesce(sum(n), 0)::int AS n FROM per_key`,
        );
        return n;
      });
    } catch (error) {
      if (error instanceof QueryFailedError && GIVE_WAY_CODES.has((error.driverError as { code?: string }).code ?? ''))
        return 0;
      throw error;
    }
  }

  /** Runs running and queued now, through the partial index on active runs. */
  async activeNow(): Promise<{ running: number; queued: number }> {
    const [row]: { running: number; queued: number }[] = await this.runs.query(
      `SELECT count(*) FILTER (WHERE status = 'running')::int AS running, count(*) FILTER (WHERE status = 'queued')::int AS queued
         FROM executions WHERE status IN ('queued', 'running')`,
    );
    return row;
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
   * What an alert about these finished runs says, with their jobs' notification settings, and
   * for a success of a job that asks for `job.recovered`, how the job's previous fire time
   * ended (its last attempt: runs of another fire time, by id, through idx_executions_job_id).
   */
  async alertFacts(runIds: readonly number[]): Promise<RunAlertFacts[]> {
    return this.runs.query(
      `SELECT e.id, e.status, e.scheduled_for AS "scheduledFor", e.started_at AS "startedAt", e.finished_at AS "finishedAt",
              e.duration_seconds AS "durationSeconds", e.attempt, e.error,
              j.id AS "jobId", j.name AS "jobName", j.job_type AS "jobType",
              j.notify_channel_ids AS "notifyChannelIds", j.notify_on AS "notifyOn",
              CASE WHEN e.status = 'succeeded' AND 'job.recovered' = ANY(j.notify_on) THEN
                (SELECT p.status FROM executions p
                  WHERE p.job_id = e.job_id AND p.id < e.id AND p.scheduled_for <> e.scheduled_for
                    AND p.status IN ('succeeded', 'failed', 'timed_out')
                  ORDER BY p.id DESC LIMIT 1)
              END AS "previousStatus"
         FROM executions e JOIN jobs j ON j.id = e.job_id
        WHERE e.id = ANY($1::int[])`,
      [runIds],
    );
  }

  /**
   * A page of runs, newest first, and the total. The unfiltered total of a large table is the
   * planner's estimate: an exact count(*) over millions of runs on every page costs more than
   * the page itself (see README, Benchmarks).
   */
  async list(filter: RunFilter, page: PageRequest): Promise<[Execution[], number]> {
    const params: unknown[] = [];
    const at = (value: unknown) => (params.push(value), `$${params.length}`);
    const conditions: string[] = [];
    if (filter.jobId !== undefined) conditions.push(`run.job_id = ${at(filter.jobId)}`);
    if (filter.status) conditions.push(`run.status = ${at(filter.status)}`);
    if (filter.trigger) conditions.push(`run."trigger" = ${at(filter.trigger)}`);
    if (filter.from) conditions.push(`run.scheduled_for >= ${at(filter.from)}`);
    if (filter.to) conditions.push(`run.scheduled_for < ${at(filter.to)}`);
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const countParams = [...params];
    const sql = `SELECT ${this.rows.select('run')} FROM executions run ${where} ORDER BY run.id DESC OFFSET ${at((page.page - 1) * page.size)} LIMIT ${at(page.size)}`;
    const items = this.rows.query(sql, params).then((r) => r.entities);
    const count = () =>
      this.runs
        .query(`SELECT count(*)::int AS n FROM executions run ${where}`, countParams)
        .then((rows: { n: number }[]) => rows[0].n);
    if (conditions.length > 0) return Promise.all([items, count()]);
    const [entities, estimate] = await Promise.all([items, this.estimatedCount()]);
    return [entities, estimate ?? (await count())];
  }

  /**
   * The planner's row estimate once the table is large; null below that (count exactly).
   * ANALYZE refreshes it now and then, so it is read at most every few seconds.
   */
  private async estimatedCount(): Promise<number | null> {
    if (!this.estimate || Date.now() - this.estimate.at > ESTIMATE_REUSE_MS) {
      const [row]: { n: string }[] = await this.runs.query(
        `SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'executions'::regclass`,
      );
      this.estimate = { n: Number(row?.n ?? -1), at: Date.now() };
    }
    return this.estimate.n >= EXACT_COUNT_LIMIT ? this.estimate.n : null;
  }
}
