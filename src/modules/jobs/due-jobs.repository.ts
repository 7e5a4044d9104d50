import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CHANNEL_JOBS_CHANGED, notifyOnCommit } from '../../database/pg-notifier.service';
import type { MisfirePolicy, ScheduleType } from '../schedules/schedule.types';
import { DUE_JOB_SQL, type OverlapPolicy } from './job.entity';

/** What the dispatcher needs of a due job. */
export interface DueJob {
  id: number;
  scheduleType: ScheduleType;
  scheduleExpression: string;
  timezone: string;
  nextRunAt: Date;
  misfirePolicy: MisfirePolicy;
  overlapPolicy: OverlapPolicy;
  jobType: string;
  taskKwargs: Record<string, unknown>;
  taskQueue: string;
  taskPriority: number;
  startAt: Date | null;
  endAt: Date | null;
  maxRuns: number | null;
  scheduledRuns: number;
  jitterSeconds: number;
}

/** The schedule side of `jobs`: the earliest due time, locking due jobs (SKIP LOCKED), advancing them. */
@Injectable()
export class DueJobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async earliestDue(): Promise<Date | null> {
    const rows: { at: Date | null }[] = await this.dataSource.query(
      `SELECT min(next_run_at) AS at FROM jobs WHERE ${DUE_JOB_SQL}`,
    );
    return rows[0]?.at ?? null;
  }

  /** Locks up to `limit` jobs due by `horizon`; rows another scheduler holds are skipped, not waited for. */
  lockDue(tx: EntityManager, horizon: Date, limit: number): Promise<DueJob[]> {
    return tx.query(
      `SELECT id, schedule_type AS "scheduleType", schedule_expression AS "scheduleExpression", timezone,
              next_run_at AS "nextRunAt", misfire_policy AS "misfirePolicy", overlap_policy AS "overlapPolicy",
              job_type AS "jobType", task_kwargs AS "taskKwargs", task_queue AS "taskQueue", task_priority AS "taskPriority",
              start_at AS "startAt", end_at AS "endAt", max_runs AS "maxRuns", scheduled_runs AS "scheduledRuns",
              jitter_seconds AS "jitterSeconds"
         FROM jobs WHERE ${DUE_JOB_SQL} AND next_run_at <= $1
        ORDER BY next_run_at LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [horizon, limit],
    );
  }

  /** Sets each job's next fire time and counts the scheduled runs just recorded for it. */
  async advance(tx: EntityManager, updates: { id: number; nextRunAt: Date | null; recorded: number }[]): Promise<void> {
    if (updates.length === 0) return;
    await tx.query(
      `UPDATE jobs j SET next_run_at = t.next, scheduled_runs = j.scheduled_runs + t.recorded
         FROM unnest($1::int[], $2::timestamptz[], $3::int[]) AS t(id, next, recorded) WHERE j.id = t.id`,
      [updates.map((u) => u.id), updates.map((u) => u.nextRunAt), updates.map((u) => u.recorded)],
    );
  }

  /**
   * Moves each job's next_run_at back to the earliest of its fire times given back (a dispatcher
   * stopping with fire times claimed ahead and not released), unless it is already earlier or
   * the job no longer has one; wakes every dispatcher on commit.
   */
  async rewind(tx: EntityManager, fireTimes: { id: number; at: Date }[]): Promise<void> {
    if (fireTimes.length === 0) return;
    await tx.query(
      `UPDATE jobs j SET next_run_at = t.at
         FROM (SELECT id, min(at) AS at FROM unnest($1::int[], $2::timestamptz[]) AS u(id, at) GROUP BY id) t
        WHERE j.id = t.id AND j.next_run_at > t.at`,
      [fireTimes.map((f) => f.id), fireTimes.map((f) => f.at)],
    );
    await notifyOnCommit(tx, CHANNEL_JOBS_CHANGED, 'rewind');
  }
}
