import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ExecutionsService, type NewRun } from '../executions/executions.service';
import { CHANNEL_JOBS_CHANGED, PgNotifier } from '../../database/pg-notifier.service';
import { SchedulesService } from '../schedules/schedules.service';
import { DueJobsService, type DueJob } from '../jobs/due-jobs.service';

const TIMER = 'schedule-dispatcher';
const RETRY_AFTER_ERROR_MS = 2000;
const HELD_ELSEWHERE_RECHECK_MS = 50;
/** At most this many fire times of one job are claimed ahead in one pass. */
const MAX_AHEAD_PER_JOB = 100;

type Release = { id: number; taskQueue: string; taskPriority: number; fireAt: Date };

/**
 * The scheduler role. One SchedulerRegistry timeout is armed DISPATCH_LOOKAHEAD_MS before the
 * earliest due `next_run_at` (or the safety poll); job changes in any process wake it through
 * LISTEN/NOTIFY. Each wake claims the fire times due within the lookahead, in batches of jobs
 * (FOR UPDATE SKIP LOCKED): it applies the misfire policy, records the runs and advances `next_run_at` in one transaction, then releases each run to its queue
 * at its fire time, on a timer of its own (a plain add, not a BullMQ delay). The overlap policy
 * is applied when a worker claims the run, at its fire time. Any number of dispatchers may run
 * on one database: the row locks and the unique (job, fire time) key make each fire time one run.
 */
@Injectable()
export class ScheduleDispatcherService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScheduleDispatcherService.name);
  private loop: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = false;
  private lastClaimAt = new Date(0);
  /** Runs claimed ahead and waiting for their fire time, by release timer. */
  private readonly pending = new Map<NodeJS.Timeout, Release[]>();
  /** When the loop last completed a batch or re-armed its timer (readiness: GET /health/ready). */
  lastAliveAt = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly registry: SchedulerRegistry,
    private readonly due: DueJobsService,
    private readonly executions: ExecutionsService,
    private readonly schedules: SchedulesService,
    private readonly notifier: PgNotifier,
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
        const wakeAt = earliest ? earliest.getTime() - this.config.dispatchLookaheadMs : 0;
        delay = earliest ? Math.max(heldElsewhere ? HELD_ELSEWHERE_RECHECK_MS : 0, wakeAt - Date.now()) : poll;
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

  /**
   * One transaction: claim the jobs due within the lookahead, record their runs, advance them;
   * then release each run at its fire time (those already due at once).
   */
  private async dispatchBatch(): Promise<{ claimed: number; enqueued: Promise<void> }> {
    const now = new Date();
    const horizon = new Date(now.getTime() + this.config.dispatchLookaheadMs);
    this.lastClaimAt = horizon;
    let claimed: DueJob[] = [];
    const releases = await this.dataSource.transaction(async (tx) => {
      claimed = await this.due.lockDue(tx, horizon, this.config.dispatchBatchSize);
      if (claimed.length === 0) return [];
      const rows: NewRun[] = [];
      const advances: { id: number; nextRunAt: Date | null }[] = [];
      for (const job of claimed) {
        const { fireTimes, nextRunAt } = this.fireTimes(job, now, horizon);
        advances.push({ id: job.id, nextRunAt });
        for (const scheduledFor of fireTimes) {
          rows.push({
            jobId: job.id,
            status: 'queued',
            trigger: 'schedule',
            scheduledFor,
            kwargs: job.taskKwargs,
            triggeredBy: 'scheduler',
            // Claimed ahead: nothing (a re-enqueue by the recovery sweep included) starts it early.
            notBefore: scheduledFor > now ? scheduledFor : null,
          });
        }
      }
      const inserted = await this.executions.record(tx, rows);
      await this.due.advance(tx, advances);
      const byId = new Map(claimed.map((j) => [j.id, j]));
      return inserted.map((r) => ({
        id: r.id,
        taskQueue: byId.get(r.jobId)!.taskQueue,
        taskPriority: byId.get(r.jobId)!.taskPriority,
        fireAt: r.scheduledFor,
      }));
    });
    this.lastAliveAt = Date.now();
    return { claimed: claimed.length, enqueued: this.release(releases) };
  }

  /**
   * Puts runs on their queues at their fire times: those due now at once, each later fire time
   * on a timer of its own (runs of one fire time go together). Never rejects (enqueue does not).
   */
  private async release(runs: Release[]): Promise<void> {
    const now = Date.now();
    const byTime = new Map<number, Release[]>();
    for (const run of runs) {
      const at = Math.max(run.fireAt.getTime(), now);
      byTime.set(at, [...(byTime.get(at) ?? []), run]);
    }
    const immediate = byTime.get(now) ?? [];
    byTime.delete(now);
    for (const [at, group] of byTime) {
      const timer: NodeJS.Timeout = setTimeout(() => {
        this.pending.delete(timer);
        void this.executions.enqueue(group);
      }, at - Date.now());
      this.pending.set(timer, group);
    }
    await this.executions.enqueue(immediate);
  }

  /**
   * The job's fire times to record now: those due (after the misfire policy), then every later
   * one up to `horizon`; and the next fire time after them.
   */
  private fireTimes(job: DueJob, now: Date, horizon: Date): { fireTimes: Date[]; nextRunAt: Date | null } {
    const spec = { type: job.scheduleType, expression: job.scheduleExpression, timezone: job.timezone };
    try {
      const due = this.schedules.dueFireTimes(spec, {
        scheduledFor: job.nextRunAt,
        now,
        policy: job.misfirePolicy,
        catchupMax: this.config.misfireCatchupMax,
      });
      const fireTimes = [...due.fireTimes];
      let next = due.nextRunAt;
      while (next && next <= horizon && fireTimes.length < MAX_AHEAD_PER_JOB) {
        fireTimes.push(next);
        next = this.schedules.nextRunAt(spec, next, next);
      }
      return { fireTimes, nextRunAt: next };
    } catch (error) {
      // A stored schedule that no longer parses must not block the others: park the job.
      this.logger.error(`Job ${job.id}: cannot compute its fire times, parking it: ${(error as Error).message}`);
      return { fireTimes: [], nextRunAt: null };
    }
  }

  /**
   * Stops dispatching. Runs claimed ahead and not yet released go to their queues now, delayed
   * until their fire times (BullMQ delay), so a clean shutdown leaves none for the recovery sweep.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.registry.doesExist('timeout', TIMER)) this.registry.deleteTimeout(TIMER);
    await this.idle();
    const waiting = [...this.pending.values()].flat();
    for (const timer of this.pending.keys()) clearTimeout(timer);
    this.pending.clear();
    await this.executions.enqueue(waiting.map((run) => ({ ...run, notBefore: run.fireAt })));
  }
}
