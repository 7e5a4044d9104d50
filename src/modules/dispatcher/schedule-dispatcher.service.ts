import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ExecutionsService, type NewRun } from '../executions/executions.service';
import { CHANNEL_JOBS_CHANGED, PgNotifier } from '../../database/pg-notifier.service';
import { RUN_EVENTS } from '../executions/run-events';
import { SchedulesService } from '../schedules/schedules.service';
import { DueJobsService, type DueJob } from '../jobs/due-jobs.service';
import { JobStatsService } from '../jobs/job-stats.service';

const TIMER = 'schedule-dispatcher';
const RETRY_AFTER_ERROR_MS = 2000;
const HELD_ELSEWHERE_RECHECK_MS = 50;

/**
 * The scheduler role. One SchedulerRegistry timeout is armed for the earliest due
 * `next_run_at` (or the safety poll); job changes in any process wake it through
 * LISTEN/NOTIFY. Each wake claims due jobs in batches (FOR UPDATE SKIP LOCKED), applies the
 * misfire and overlap policies, records the runs and advances `next_run_at` in one
 * transaction, then enqueues. Any number of dispatchers may run on one database: the row
 * locks and the unique (job, fire time) key make each fire time produce exactly one run.
 */
@Injectable()
export class ScheduleDispatcherService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScheduleDispatcherService.name);
  private loop: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = false;
  private lastClaimAt = new Date(0);
  /** When the loop last completed a batch or re-armed its timer (readiness: GET /health/ready). */
  lastAliveAt = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly registry: SchedulerRegistry,
    private readonly due: DueJobsService,
    private readonly jobStats: JobStatsService,
    private readonly executions: ExecutionsService,
    private readonly schedules: SchedulesService,
    private readonly notifier: PgNotifier,
    private readonly events: EventEmitter2,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.notifier.subscribe(CHANNEL_JOBS_CHANGED, () => this.wake());
    this.wake();
  }

  /** Dispatches whatever is due now, then re-arms the timer. Wakes during a pass coalesce. */
  wake(): void {
    if (this.stopped) return;
    if (this.loop) {
      this.wakeAgain = true;
      return;
    }
    this.loop = this.run().finally(() => (this.loop = undefined));
  }

  /** Resolves when the current pass (if any) has finished. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async run(): Promise<void> {
    let delay: number | undefined;
    let claimed = 0;
    // A batch's enqueue (after its commit) overlaps the claim of the next batch; at most one
    // waits at a time. ExecutionsService.enqueue never rejects (the recovery sweep repairs it).
    let enqueuing: Promise<void> = Promise.resolve();
    try {
      do {
        this.wakeAgain = false;
        let batch: { claimed: number; enqueued: Promise<void> };
        do {
          batch = await this.dispatchBatch();
          await enqueuing;
          enqueuing = batch.enqueued;
          claimed += batch.claimed;
        } while (!this.stopped && batch.claimed === this.config.dispatchBatchSize);
      } while (this.wakeAgain && !this.stopped);
    } catch (error) {
      this.logger.error(`Dispatch failed; retrying in ${RETRY_AFTER_ERROR_MS} ms: ${(error as Error).message}`);
      delay = RETRY_AFTER_ERROR_MS;
    }
    await enqueuing;
    await this.arm(delay, claimed === 0);
  }

  /**
   * Sleeps until the earliest due time. When this pass claimed nothing although jobs are due,
   * another scheduler holds them: look again shortly instead of spinning.
   */
  private async arm(delay?: number, claimedNothing = false): Promise<void> {
    if (this.stopped) return;
    const poll = this.config.dispatchPollSeconds * 1000;
    if (delay === undefined) {
      try {
        const earliest = await this.due.earliestDue();
        const heldElsewhere = claimedNothing && earliest !== null && earliest <= this.lastClaimAt;
        delay = earliest
          ? Math.max(heldElsewhere ? HELD_ELSEWHERE_RECHECK_MS : 0, earliest.getTime() - Date.now())
          : poll;
      } catch (error) {
        this.logger.warn(`Cannot read the next due time: ${(error as Error).message}`);
        delay = RETRY_AFTER_ERROR_MS;
      }
    }
    if (this.registry.doesExist('timeout', TIMER)) this.registry.deleteTimeout(TIMER);
    if (this.stopped) return;
    this.registry.addTimeout(
      TIMER,
      setTimeout(() => this.wake(), Math.min(delay, poll)),
    );
    this.lastAliveAt = Date.now();
  }

  /** One transaction: claim due jobs, record their runs, advance them; then start their enqueue. */
  private async dispatchBatch(): Promise<{ claimed: number; enqueued: Promise<void> }> {
    const now = new Date();
    this.lastClaimAt = now;
    let claimed: DueJob[] = [];
    let skipped: number[] = [];
    const toEnqueue = await this.dataSource.transaction(async (tx) => {
      claimed = await this.due.lockDue(tx, now, this.config.dispatchBatchSize);
      if (claimed.length === 0) return [];
      const busy = await this.executions.jobsWithActiveRuns(
        tx,
        claimed.filter((j) => j.overlapPolicy === 'skip').map((j) => j.id),
      );
      const rows: NewRun[] = [];
      const advances: { id: number; nextRunAt: Date | null }[] = [];
      for (const job of claimed) {
        const { fireTimes, nextRunAt } = this.fireTimes(job, now);
        advances.push({ id: job.id, nextRunAt });
        const skip = busy.has(job.id);
        for (const scheduledFor of fireTimes) {
          rows.push({
            jobId: job.id,
            status: skip ? 'skipped' : 'queued',
            trigger: 'schedule',
            scheduledFor,
            kwargs: job.taskKwargs,
            triggeredBy: 'scheduler',
            error: skip ? 'Skipped: the previous run was still going (overlap_policy skip)' : null,
          });
        }
      }
      const inserted = await this.executions.record(tx, rows);
      skipped = inserted.filter((r) => r.status === 'skipped').map((r) => r.jobId);
      await this.jobStats.addSkippedRuns(tx, skipped);
      await this.due.advance(tx, advances);
      const byId = new Map(claimed.map((j) => [j.id, j]));
      return inserted
        .filter((r) => r.status === 'queued')
        .map((r) => ({
          id: r.id,
          taskQueue: byId.get(r.jobId)!.taskQueue,
          taskPriority: byId.get(r.jobId)!.taskPriority,
        }));
    });
    this.events.emit(RUN_EVENTS.skipped, skipped);
    this.lastAliveAt = Date.now();
    return { claimed: claimed.length, enqueued: this.executions.enqueue(toEnqueue) };
  }

  private fireTimes(job: DueJob, now: Date): { fireTimes: Date[]; nextRunAt: Date | null } {
    try {
      return this.schedules.dueFireTimes(
        { type: job.scheduleType, expression: job.scheduleExpression, timezone: job.timezone },
        { scheduledFor: job.nextRunAt, now, policy: job.misfirePolicy, catchupMax: this.config.misfireCatchupMax },
      );
    } catch (error) {
      // A stored schedule that no longer parses must not block the others: park the job.
      this.logger.error(`Job ${job.id}: cannot compute its fire times, parking it: ${(error as Error).message}`);
      return { fireTimes: [], nextRunAt: null };
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.registry.doesExist('timeout', TIMER)) this.registry.deleteTimeout(TIMER);
    await this.idle();
  }
}
