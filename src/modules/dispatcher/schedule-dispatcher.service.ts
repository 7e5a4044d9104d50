import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ExecutionsService, type NewRun } from '../executions/executions.service';
import { CHANNEL_JOBS_CHANGED, PgNotifier } from '../../database/pg-notifier.service';
import { RUN_EVENTS, SKIPPED_RUN_ERROR, type RunSkippedEvent } from '../executions/run-events';
import { SchedulesService } from '../schedules/schedules.service';
import { DueJobsService, type DueJob } from '../jobs/due-jobs.service';
import { JobStatsService } from '../jobs/job-stats.service';
import { clampFireTimes, jitterOffsetMs } from '../jobs/job-window';
import { currentTraceCarrier, inSpan, type TraceCarrier } from '../../common/tracing/spans';
import { DISPATCH_EVENTS, type DispatchPassEvent } from './dispatch-events';

const TIMER = 'schedule-dispatcher';
const RETRY_AFTER_ERROR_MS = 2000;
const HELD_ELSEWHERE_RECHECK_MS = 50;
/** At most this many fire times of one job are claimed ahead in one pass. */
const MAX_AHEAD_PER_JOB = 100;

/**
 * A run to put on its queue at its start time (its fire time, plus the job's jitter);
 * `skipIfOverlapping`: its job's overlap policy is `skip`; `replacePrevious`: it is `replace`.
 */
type Release = {
  id: number;
  taskQueue: string;
  taskPriority: number;
  fireAt: Date;
  skipIfOverlapping: boolean;
  replacePrevious: boolean;
  /** The dispatch's trace context (tracing on): the run's span continues that trace. */
  trace?: TraceCarrier;
};

/**
 * The scheduler role. One SchedulerRegistry timeout is armed DISPATCH_LOOKAHEAD_MS before the
 * earliest due `next_run_at` (or the safety poll); job changes in any process wake it through
 * LISTEN/NOTIFY. Each wake claims the fire times due within the lookahead, in batches of jobs
 * (FOR UPDATE SKIP LOCKED): it applies the misfire policy, records the runs and advances
 * `next_run_at` in one transaction, then releases each run to its queue at its fire time, on a
 * timer of its own (a plain add, not a BullMQ delay). The overlap policy `skip` is decided at the
 * fire time: in the claim transaction for fire times already due, in one statement at the
 * release for those claimed ahead (the worker's claim checks again). Any number of dispatchers
 * may run on one database: the row locks and the unique (job, fire time) key make each fire time
 * one run.
 */
@Injectable()
export class ScheduleDispatcherService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScheduleDispatcherService.name);
  private loop: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = false;
  private lastClaimAt = new Date(0);
  /** Runs claimed ahead and waiting for their fire time: by fire time (ms), with its timer. */
  private readonly pending = new Map<number, { runs: Release[]; timer: NodeJS.Timeout }>();
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
   * then release each run at its fire time (those already due at once). The overlap policy `skip`
   * is decided here for the fire times already due (a run of the job is going now: they are
   * recorded skipped), and at the release (releaseNow) for those claimed ahead.
   */
  private dispatchBatch(): Promise<{ claimed: number; enqueued: Promise<void> }> {
    return inSpan('dispatch', {}, async (span) => {
      const batch = await this.claimBatch();
      span.setAttributes({ 'jobs.claimed_jobs': batch.claimed, 'jobs.released_runs': batch.releases.length });
      this.events.emit(DISPATCH_EVENTS.pass, {
        at: Date.now(),
        claimedJobs: batch.claimed,
        releasedRuns: batch.releases.length,
      } satisfies DispatchPassEvent);
      return { claimed: batch.claimed, enqueued: this.release(batch.releases) };
    });
  }

  private async claimBatch(): Promise<{ claimed: number; releases: Release[] }> {
    const now = new Date();
    const horizon = new Date(now.getTime() + this.config.dispatchLookaheadMs);
    this.lastClaimAt = horizon;
    let claimed: DueJob[] = [];
    let skipped: number[] = [];
    const releases = await this.dataSource.transaction(async (tx) => {
      claimed = await this.due.lockDue(tx, horizon, this.config.dispatchBatchSize);
      if (claimed.length === 0) return [];
      const busy = await this.executions.jobsWithActiveRuns(
        tx,
        claimed.filter((j) => j.overlapPolicy === 'skip').map((j) => j.id),
      );
      const rows: NewRun[] = [];
      const nextRuns = new Map<number, Date | null>();
      for (const job of claimed) {
        const { fireTimes, nextRunAt } = this.fireTimes(job, now, horizon);
        nextRuns.set(job.id, nextRunAt);
        for (const scheduledFor of fireTimes) {
          const startAt = new Date(scheduledFor.getTime() + jitterOffsetMs(job.id, scheduledFor, job.jitterSeconds));
          const ahead = startAt > now;
          const skip = !ahead && busy.has(job.id);
          rows.push({
            jobId: job.id,
            status: skip ? 'skipped' : 'queued',
            trigger: 'schedule',
            scheduledFor,
            kwargs: job.taskKwargs,
            triggeredBy: 'scheduler',
            // Claimed ahead (or jittered): nothing (a re-enqueue by the recovery sweep included) starts it early.
            notBefore: ahead || job.jitterSeconds > 0 ? startAt : null,
            error: skip ? SKIPPED_RUN_ERROR : null,
          });
        }
      }
      const inserted = await this.executions.record(tx, rows);
      skipped = inserted.filter((r) => r.status === 'skipped').map((r) => r.jobId);
      await this.jobStats.addSkippedRuns(tx, skipped);
      const recorded = new Map<number, number>();
      for (const run of inserted) recorded.set(run.jobId, (recorded.get(run.jobId) ?? 0) + 1);
      await this.due.advance(
        tx,
        [...nextRuns].map(([id, nextRunAt]) => ({ id, nextRunAt, recorded: recorded.get(id) ?? 0 })),
      );
      const byId = new Map(claimed.map((j) => [j.id, j]));
      const trace = currentTraceCarrier();
      return inserted
        .filter((r) => r.status === 'queued')
        .map((r) => {
          const job = byId.get(r.jobId)!;
          const fireAt = r.notBefore ?? r.scheduledFor;
          return {
            id: r.id,
            taskQueue: job.taskQueue,
            taskPriority: job.taskPriority,
            fireAt,
            // Decided now for a start time already due; for one claimed ahead, when it comes.
            skipIfOverlapping: fireAt > now && job.overlapPolicy === 'skip',
            replacePrevious: job.overlapPolicy === 'replace',
            trace,
          };
        });
    });
    if (skipped.length > 0) {
      const types = new Map(claimed.map((j) => [j.id, j.jobType]));
      this.events.emit(
        RUN_EVENTS.skipped,
        skipped.map((jobId): RunSkippedEvent => ({ jobId, jobType: types.get(jobId) })),
      );
    }
    this.lastAliveAt = Date.now();
    return { claimed: claimed.length, releases };
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
      const group = byTime.get(at);
      if (group) group.push(run);
      else byTime.set(at, [run]);
    }
    const immediate = byTime.get(now) ?? [];
    byTime.delete(now);
    for (const [at, group] of byTime) {
      const waiting = this.pending.get(at);
      if (waiting) waiting.runs.push(...group);
      else this.pending.set(at, { runs: group, timer: this.releaseAt(at) });
    }
    await this.releaseNow(immediate);
  }

  /**
   * Puts runs whose fire time has come on their queues. Those of `skip` jobs first pass the
   * overlap check (one statement for them all); if it fails, they go anyway and the worker's
   * claim applies the same check. Never rejects.
   */
  private async releaseNow(runs: Release[]): Promise<void> {
    const replacing = runs.filter((r) => r.replacePrevious);
    if (replacing.length > 0) {
      try {
        await this.executions.replacePrevious(replacing.map((r) => r.id));
      } catch (error) {
        this.logger.warn(`Could not cancel the runs being replaced (overlap replace): ${(error as Error).message}`);
      }
    }
    const toCheck = runs.filter((r) => r.skipIfOverlapping);
    if (toCheck.length === 0) return this.executions.enqueue(runs);
    const checked = async () => {
      let skipped = new Set<number>();
      try {
        skipped = await this.executions.skipOverlapping(toCheck.map((r) => r.id));
      } catch (error) {
        this.logger.warn(`Overlap check failed (left to the workers' claims): ${(error as Error).message}`);
      }
      await this.executions.enqueue(toCheck.filter((r) => !skipped.has(r.id)));
    };
    await Promise.all([this.executions.enqueue(runs.filter((r) => !r.skipIfOverlapping)), checked()]);
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
      // The active window and max_runs: nothing outside the one, nothing past the other.
      return clampFireTimes(fireTimes, next, job);
    } catch (error) {
      // A stored schedule that no longer parses must not block the others: park the job.
      this.logger.error(`Job ${job.id}: cannot compute its fire times, parking it: ${(error as Error).message}`);
      return { fireTimes: [], nextRunAt: null };
    }
  }

  /**
   * A timer for the runs of one fire time. Node's timers run on the event loop's cached clock and
   * may fire a little early against Date.now(): then it waits out the rest, so no run is released
   * before its fire time.
   */
  private releaseAt(at: number): NodeJS.Timeout {
    return setTimeout(() => {
      const waiting = this.pending.get(at);
      if (!waiting) return;
      if (Date.now() < at) {
        waiting.timer = this.releaseAt(at);
        return;
      }
      this.pending.delete(at);
      void this.releaseNow(waiting.runs);
    }, at - Date.now());
  }

  /**
   * Stops dispatching. Runs claimed ahead and not yet released are given back in one transaction:
   * deleted (those still queued) and their jobs' next_run_at moved back to them, so a dispatcher
   * still running (woken by the notification) or this one when it starts again claims those fire
   * times afresh, with the overlap check at their time. If that fails (database gone), they stay
   * recorded and the recovery sweep releases them.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.registry.doesExist('timeout', TIMER)) this.registry.deleteTimeout(TIMER);
    await this.idle();
    const waiting = [...this.pending.values()].flatMap(({ runs, timer }) => {
      clearTimeout(timer);
      return runs;
    });
    this.pending.clear();
    if (waiting.length === 0) return;
    try {
      await this.dataSource.transaction(async (tx) => {
        const dropped = await this.executions.dropUnstarted(
          tx,
          waiting.map((r) => r.id),
        );
        await this.due.rewind(
          tx,
          dropped.map((r) => ({ id: r.jobId, at: r.scheduledFor })),
        );
        this.logger.log(
          `Giving back ${dropped.length} run(s) claimed ahead, of ${new Set(dropped.map((r) => r.jobId)).size} job(s)`,
        );
      });
    } catch (error) {
      this.logger.warn(
        `Could not give back ${waiting.length} run(s) claimed ahead; the recovery sweep releases them: ${(error as Error).message}`,
      );
    }
  }
}
