import { Injectable, Logger } from '@nestjs/common';
import type { TraceCarrier } from '../../common/tracing/spans';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { DataSource, type EntityManager } from 'typeorm';
import { createBatchLoader } from '../../common/batch-loader';
import type { Actor } from '../../common/actor';
import { toPage, type Page, type PageRequest } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { RUN_EVENTS, type RunSkippedEvent } from './run-events';
import { histogramQuantile } from './duration-histogram';
import { ExecutionResponseDto } from './dto/execution-response.dto';
import type { RunStatus } from './execution.entity';
import { JOB_EVENTS, type JobChangedEvent } from '../jobs/job-events';
import { JobNotFoundError } from '../jobs/jobs.errors';
import { JobsService } from '../jobs/jobs.service';
import {
  ExecutionsRepository,
  type EnqueueTarget,
  type NewRun,
  type RunAlertFacts,
  type RunFilter,
} from './executions.repository';
import { QueueService } from './queue/queue.service';
import {
  RunOutcomesRepository,
  type ClaimedRun,
  type FinishedRun,
  type RunOutcomeInput,
} from './run-outcomes.repository';
import { RunNotCancellableError, RunNotFoundError } from './executions.errors';

/** What a worker or a manual action reports about a run's end. */
export type RunOutcome = RunOutcomeInput;

export type { ClaimedRun, FinishedRun } from './run-outcomes.repository';
export type { NewRun, RunAlertFacts, RunFilter } from './executions.repository';

/** Runs: recording, enqueueing, claims, outcomes with statistics and retries, listing, cancelling, recovery reads. */
const HOUR_MS = 3_600_000;

@Injectable()
export class ExecutionsService {
  private readonly logger = new Logger(ExecutionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: ExecutionsRepository,
    private readonly outcomesRepository: RunOutcomesRepository,
    private readonly jobs: JobsService,
    private readonly queue: QueueService,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
  ) {}

  async list(filter: RunFilter, page: PageRequest): Promise<Page<ExecutionResponseDto>> {
    const [items, total] = await this.runs.list(filter, page);
    return toPage(
      items.map((run) => ExecutionResponseDto.from(run)),
      total,
      page,
    );
  }

  async listForJob(jobId: number, filter: RunFilter, page: PageRequest): Promise<Page<ExecutionResponseDto>> {
    if (!(await this.jobs.exists(jobId))) throw new JobNotFoundError(jobId);
    return this.list(filter, page);
  }

  async get(id: number): Promise<ExecutionResponseDto> {
    const run = await this.runs.findById(id);
    if (!run) throw new RunNotFoundError(id);
    return ExecutionResponseDto.from(run);
  }

  /** Records runs in the caller's transaction (the caller enqueues them after commit). */
  record(tx: EntityManager, rows: NewRun[]) {
    return this.runs.insertRuns(tx, rows);
  }

  /**
   * A job changed (update, pause, resume): the runs claimed ahead of their fire times under its
   * old definition are dropped in the change's transaction, and the dispatcher claims those fire
   * times again under the new one (or not at all). Runs already due go ahead as recorded.
   */
  @OnEvent(JOB_EVENTS.changed, { suppressErrors: false })
  async dropClaimedAhead({ tx, jobId }: JobChangedEvent): Promise<Date[]> {
    return this.runs.deleteClaimedAhead(tx, jobId);
  }

  /** Drops those of `runIds` not started yet, in `tx` (a dispatcher giving its claimed-ahead runs back); returns what went. */
  dropUnstarted(tx: EntityManager, runIds: number[]): Promise<{ id: number; jobId: number; scheduledFor: Date }[]> {
    return runIds.length === 0 ? Promise.resolve([]) : this.runs.deleteQueued(tx, runIds);
  }

  /** Jobs among `jobIds` with a run queued or running (the overlap policy's question), read in `tx`. */
  jobsWithActiveRuns(tx: EntityManager, jobIds: number[]): Promise<Set<number>> {
    return this.runs.jobsWithActiveRuns(tx, jobIds);
  }

  /**
   * queued → running for this worker. One statement claims every run whose job does not queue
   * overlapping runs; each of the others (overlap `queue`, or no longer queued) takes its job's
   * turn in order. Null for a run not started: no longer queued (or gone), or skipped (its
   * previous run still goes: overlap `skip`).
   */
  async claim(runIds: readonly number[], worker: string): Promise<(ClaimedRun | null)[]> {
    const many = await this.outcomesRepository.claimStartMany([...runIds], worker);
    const started = new Map(many.started.map((r) => [r.id, r]));
    const settled = new Set(many.skipped.map((r) => r.id));
    const skipped = [...many.skipped];
    const result = await Promise.all(
      runIds.map(async (id) => {
        if (started.has(id)) return started.get(id)!;
        if (settled.has(id)) return null;
        const one = await this.outcomesRepository.claimQueued(id, worker);
        skipped.push(...one.skipped);
        return one.started[0] ?? null;
      }),
    );
    this.announceSkipped(skipped);
    return result;
  }

  statusOf(runId: number): Promise<RunStatus | null> {
    return this.runs.statusOf(runId);
  }

  /** Runs still queued `olderThanSeconds` after they were due: their enqueue may have been lost in a crash. */
  findStaleQueued(olderThanSeconds: number, limit: number): Promise<EnqueueTarget[]> {
    return this.runs.staleQueued(olderThanSeconds, limit);
  }

  /** Runs `running` more than `graceSeconds` past their job's timeout: their worker is gone. */
  findLostRunning(graceSeconds: number, limit: number): Promise<number[]> {
    return this.runs.staleRunning(graceSeconds, limit);
  }

  /** Deletes up to `limit` finished runs that ended before `cutoff` (retention); returns how many went. */
  /** What alerts about these finished runs say (the alerts module). */
  alertFacts(runIds: readonly number[]): Promise<RunAlertFacts[]> {
    return this.runs.alertFacts(runIds);
  }

  pruneFinishedBefore(cutoff: Date, limit: number): Promise<number> {
    return this.runs.deleteFinishedBefore(cutoff, limit);
  }

  /** Expires the per-minute run counts older than the overview's 24 hours; returns how many rows went. */
  expireRunMinutes(): Promise<number> {
    return this.runs.expireRunMinutes();
  }

  /**
   * Runs finished in the last 24 hours (whole minutes) by status, with their p95 duration
   * estimated from a duration histogram (see histogramQuantile). Minutes that have left the
   * window are expired on the way, so the next read subtracts none.
   */
  /** Runs that ended in each of the last 24 hours, oldest first, the current hour last (zeros included). */
  async runsPerHour(now = new Date()): Promise<{ hour: Date; runs: number; failed: number }[]> {
    const rows = await this.runs.runsPerHour();
    const byHour = new Map(rows.map((r) => [new Date(r.hour).getTime(), r]));
    const current = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    return Array.from({ length: 24 }, (_, i) => {
      const at = current - (23 - i) * HOUR_MS;
      const row = byHour.get(at);
      return { hour: new Date(at), runs: row?.runs ?? 0, failed: row?.failed ?? 0 };
    });
  }

  async lastDay(): Promise<{ byStatus: { key: string; n: number }[]; total: number; p95: number | null }> {
    const figures = await this.runs.lastDay();
    if (figures.stale > 0) await this.runs.expireRunMinutes();
    const { bounds, counts } = figures.durations;
    return { byStatus: figures.byStatus, total: figures.total, p95: histogramQuantile(0.95, bounds, counts) };
  }

  /** Runs running and queued now. */
  activeNow() {
    return this.runs.activeNow();
  }

  /**
   * At a fire time, before runs claimed ahead for it go to their queues: those of overlap `skip`
   * jobs whose previous run still goes are recorded skipped (RunOutcomesRepository.skipOverlapping).
   * Returns their ids.
   */
  async skipOverlapping(runIds: number[]): Promise<Set<number>> {
    if (runIds.length === 0) return new Set();
    const skipped = await this.outcomesRepository.skipOverlapping(runIds);
    this.announceSkipped(skipped);
    return new Set(skipped.map((r) => r.id));
  }

  /** RUN_EVENTS.skipped for runs recorded skipped (overlap `skip`), one entry per run. */
  private announceSkipped(skipped: RunSkippedEvent[]): void {
    if (skipped.length > 0)
      this.events.emit(
        RUN_EVENTS.skipped,
        skipped.map(({ jobId, jobType }) => ({ jobId, jobType })),
      );
  }

  /** Puts recorded runs on their queues. A failure here is repaired by the recovery sweep. */
  async enqueue(
    runs: { id: number; taskQueue: string; taskPriority: number; notBefore?: Date | null; trace?: TraceCarrier }[],
  ): Promise<void> {
    if (runs.length === 0) return;
    try {
      await this.queue.enqueue(
        runs.map((r) => ({
          runId: r.id,
          queue: r.taskQueue,
          priority: r.taskPriority,
          delayMs: r.notBefore ? r.notBefore.getTime() - Date.now() : 0,
          trace: r.trace,
        })),
      );
    } catch (error) {
      this.logger.warn(
        `Enqueue of ${runs.length} run(s) failed (the recovery sweep will retry): ${(error as Error).message}`,
      );
    }
  }

  /**
   * Records a run's outcome with its job's statistics and, for a failed attempt with attempts
   * left, its retry (see RunOutcomesRepository.finishRuns); then queues the retry. Null when the
   * run was not in `onlyFrom` (for example already cancelled): then nothing changes.
   */
  async complete(runId: number, outcome: RunOutcome, onlyFrom: RunStatus[] = ['running']): Promise<FinishedRun | null> {
    const finished = await this.outcomesRepository.finishRun(this.dataSource.manager, runId, outcome, onlyFrom);
    if (finished) await this.afterFinish([finished]);
    return finished;
  }

  /**
   * complete() for a run this worker is running: outcomes reported at about the same time are
   * written together, one statement per batch (the worker's hot path); each caller gets its own
   * run's answer, or the batch's error (and tries again).
   */
  completeRunning(runId: number, outcome: RunOutcome): Promise<FinishedRun | null> {
    return this.outcomes.load({ runId, outcome });
  }

  private readonly outcomes = createBatchLoader<{ runId: number; outcome: RunOutcome }, FinishedRun | null>(
    async (items) => {
      const finished = await this.outcomesRepository.finishRuns(this.dataSource.manager, items, ['running']);
      await this.afterFinish(finished);
      const byId = new Map(finished.map((run) => [run.id, run]));
      return items.map((item) => byId.get(item.runId) ?? null);
    },
  );

  /** Metrics, and the retries recorded with the outcomes put on their queues. */
  private async afterFinish(finished: FinishedRun[]): Promise<void> {
    for (const run of finished) this.events.emit(RUN_EVENTS.finished, run);
    const retries = finished.filter((run) => run.retry);
    await this.enqueue(
      retries.map((run) => ({
        id: run.retry!.id,
        taskQueue: run.taskQueue,
        taskPriority: run.taskPriority,
        notBefore: run.retry!.notBefore,
      })),
    );
  }

  /**
   * Overlap policy `replace`, at the start of each of `runIds`: the runs of its job still going
   * (running, or queued for an earlier fire time) end `cancelled`, saying which run replaced
   * them; a running one's AbortSignal fires in whatever worker runs it (LISTEN/NOTIFY).
   */
  async replacePrevious(runIds: number[]): Promise<void> {
    const { finished, queued } = await this.dataSource.transaction(async (tx) => {
      const previous = await this.runs.runsReplacedBy(tx, runIds);
      const ended = await this.outcomesRepository.finishRuns(
        tx,
        previous.map((run) => ({
          runId: run.id,
          outcome: {
            status: 'cancelled' as const,
            error: `Replaced by run ${run.replacedBy} (overlap_policy replace)`,
          },
        })),
        ['queued', 'running'],
      );
      for (const run of previous) await this.runs.notifyCancelled(tx, run.id);
      return { finished: ended, queued: previous.filter((run) => run.status === 'queued') };
    });
    for (const run of finished) this.events.emit(RUN_EVENTS.finished, run);
    for (const run of queued) await this.queue.remove(run.taskQueue, run.id);
  }

  async cancel(id: number, actor: Actor): Promise<ExecutionResponseDto> {
    let cancelled: FinishedRun | undefined;
    const { wasQueued, queueName } = await this.dataSource.transaction(async (tx) => {
      const run = await this.runs.findByIdForUpdate(tx, id);
      if (!run) throw new RunNotFoundError(id);
      if (run.status !== 'queued' && run.status !== 'running') throw new RunNotCancellableError(id, run.status);
      cancelled = (await this.outcomesRepository.finishRun(
        tx,
        id,
        { status: 'cancelled', error: `Cancelled by ${actor.name}` },
        ['queued', 'running'],
      ))!;
      await this.runs.notifyCancelled(tx, id);
      await this.audit.record(tx, {
        actor,
        action: 'execution.cancel',
        entityType: 'execution',
        entityId: id,
        changes: { status: { before: run.status, after: 'cancelled' } },
      });
      return { wasQueued: run.status === 'queued', queueName: cancelled.taskQueue };
    });
    if (cancelled) this.events.emit(RUN_EVENTS.finished, cancelled);
    if (wasQueued && queueName) await this.queue.remove(queueName, id);
    return this.get(id);
  }
}
