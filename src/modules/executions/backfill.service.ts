import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor';
import { ValidationFailedError } from '../../common/errors';
import { AuditService } from '../audit/audit.service';
import type { Job } from '../jobs/job.entity';
import { JobsService } from '../jobs/jobs.service';
import { SchedulesService } from '../schedules/schedules.service';
import {
  DEFAULT_BACKFILL_RUNS,
  MAX_BACKFILL_RUNS,
  type BackfillJobDto,
  type BackfillResultDto,
} from './dto/backfill-job.dto';
import { ExecutionsRepository, type InsertedRun } from './executions.repository';
import { ExecutionsService } from './executions.service';

/**
 * Backfill: a run for each past fire time of a job in a range that has no `schedule` or
 * `backfill` run yet, recorded under the job's row lock with its audit entry, then queued like any
 * run. The lock serialises backfills of the job and keeps the dispatcher off it meanwhile (it
 * skips locked jobs); the unique fire-time key (ON CONFLICT DO NOTHING) stands behind both. A
 * disabled or paused job may be backfilled: it is an operator's explicit act, as "run now" with force.
 */
@Injectable()
export class BackfillService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly schedules: SchedulesService,
    private readonly executions: ExecutionsService,
    private readonly runs: ExecutionsRepository,
    private readonly audit: AuditService,
  ) {}

  async backfill(id: number, dto: BackfillJobDto, actor: Actor): Promise<BackfillResultDto> {
    const { from, to } = pastRange(dto);
    const maxRuns = dto.max_runs ?? DEFAULT_BACKFILL_RUNS;
    const { job, fireTimes, recorded } = await this.dataSource.transaction(async (tx) => {
      const job = await this.jobs.lockForRun(tx, id);
      // The job's fire times are its schedule's inside its active window (start_at, end_at).
      const lo = job.startAt && job.startAt > from ? job.startAt : from;
      const hi = job.endAt && job.endAt < to ? job.endAt : to;
      const fireTimes =
        lo < hi
          ? this.schedules.fireTimesBetween(
              { type: job.scheduleType, expression: job.scheduleExpression, timezone: job.timezone },
              lo,
              hi,
              maxRuns + 1,
              await this.intervalAnchor(tx, job),
            )
          : [];
      if (fireTimes.length > maxRuns)
        throw ValidationFailedError.forField(
          'max_runs',
          `the range holds more than ${maxRuns} fire times of the job; narrow the range or raise the limit (at most ${MAX_BACKFILL_RUNS})`,
        );
      const recorded = await this.recordMissing(tx, job, fireTimes, actor);
      await this.audit.record(tx, {
        actor,
        action: 'job.backfill',
        entityType: 'job',
        entityId: id,
        changes: {
          from: { before: null, after: from.toISOString() },
          to: { before: null, after: to.toISOString() },
          max_runs: { before: null, after: maxRuns },
          recorded: { before: null, after: recorded.length },
          already_present: { before: null, after: fireTimes.length - recorded.length },
        },
      });
      return { job, fireTimes, recorded };
    });
    await this.executions.enqueue(
      recorded.map((run) => ({ id: run.id, taskQueue: job.taskQueue, taskPriority: job.taskPriority })),
    );
    return {
      recorded: recorded.length,
      already_present: fireTimes.length - recorded.length,
      fire_times: fireTimes.map((time) => time.toISOString()),
    };
  }

  /**
   * Records a backfill run for each of `fireTimes` that has none. Those that have one are read
   * first and left out, not left to ON CONFLICT: its check waits for a worker updating such a run,
   * while that worker's statement waits for this job's row lock to count the outcome (a deadlock).
   */
  private async recordMissing(tx: EntityManager, job: Job, fireTimes: Date[], actor: Actor): Promise<InsertedRun[]> {
    const present = await this.runs.fireTimesWithRuns(tx, job.id, fireTimes);
    return this.executions.record(
      tx,
      fireTimes
        .filter((time) => !present.has(time.getTime()))
        .map((scheduledFor) => ({
          jobId: job.id,
          status: 'queued',
          trigger: 'backfill',
          scheduledFor,
          kwargs: job.taskKwargs,
          triggeredBy: actor.name,
        })),
    );
  }

  /**
   * Interval fire times are a lattice: the one the dispatcher follows (next_run_at), else that of
   * the job's latest scheduled or backfill run (a disabled or paused job), else none (from `from`).
   */
  private async intervalAnchor(tx: EntityManager, job: Job): Promise<Date | null> {
    if (job.scheduleType !== 'interval') return null;
    return job.nextRunAt ?? (await this.runs.latestFireTime(tx, job.id));
  }
}

/** `from` < `to` ≤ now, or a 400 naming the field. */
function pastRange(dto: BackfillJobDto): { from: Date; to: Date } {
  const from = new Date(dto.from);
  const to = new Date(dto.to);
  const now = new Date();
  if (to <= from) throw ValidationFailedError.forField('to', `must be later than from (${from.toISOString()})`);
  if (to > now) throw ValidationFailedError.forField('to', `must not be in the future (now: ${now.toISOString()})`);
  return { from, to };
}
