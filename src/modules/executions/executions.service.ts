import { Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor';
import { ConflictError, NotFoundError } from '../../common/errors';
import { toPage, type Page, type PageRequest } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { MetricsService } from '../metrics/metrics.service';
import { ExecutionResponseDto } from './dto/execution-response.dto';
import type { RunStatus } from './execution.entity';
import { ExecutionsRepository, type ClaimedRun, type FinishedRun, type NewRun, type RunFilter } from './executions.repository';
import { CHANNEL_RUN_CANCELLED } from './queue/pg-notifier.service';
import { QueueService } from './queue/queue.service';

export interface RunOutcome {
  status: RunStatus;
  result?: unknown;
  error?: string | null;
}

/** Runs: recording, enqueueing, outcomes with statistics and retries, listing, cancelling. */
@Injectable()
export class ExecutionsService {
  private readonly logger = new Logger(ExecutionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: ExecutionsRepository,
    private readonly queue: QueueService,
    private readonly audit: AuditService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async list(filter: RunFilter, page: PageRequest): Promise<Page<ExecutionResponseDto>> {
    const [items, total] = await this.runs.list(filter, page);
    return toPage(items.map(ExecutionResponseDto.from), total, page);
  }

  async listForJob(jobId: number, filter: RunFilter, page: PageRequest): Promise<Page<ExecutionResponseDto>> {
    if (!(await this.runs.jobExists(jobId))) throw new NotFoundError('Job', jobId);
    return this.list(filter, page);
  }

  async get(id: number): Promise<ExecutionResponseDto> {
    const run = await this.runs.findById(id);
    if (!run) throw new NotFoundError('Execution', id);
    return ExecutionResponseDto.from(run);
  }

  /** Records runs in the caller's transaction (the caller enqueues them after commit). */
  record(tx: EntityManager, rows: NewRun[]) {
    return this.runs.insertRuns(tx, rows);
  }

  /** Puts recorded runs on their queues. A failure here is repaired by the recovery sweep. */
  async enqueue(runs: { id: number; taskQueue: string; taskPriority: number; notBefore?: Date | null }[]): Promise<void> {
    if (runs.length === 0) return;
    try {
      await this.queue.enqueue(
        runs.map((r) => ({ runId: r.id, queue: r.taskQueue, priority: r.taskPriority, delayMs: r.notBefore ? r.notBefore.getTime() - Date.now() : 0 })),
      );
    } catch (error) {
      this.logger.warn(`Enqueue of ${runs.length} run(s) failed (the recovery sweep will retry): ${(error as Error).message}`);
    }
  }

  /**
   * Records a run's outcome and its job's statistics in one transaction, and schedules a
   * retry when the run failed and attempts remain. Null when the run was not in `onlyFrom`
   * (for example already cancelled): then nothing changes.
   */
  async complete(runId: number, outcome: RunOutcome, onlyFrom: RunStatus[] = ['running'], context?: ClaimedRun): Promise<FinishedRun | null> {
    let retry: { id: number; taskQueue: string; taskPriority: number; notBefore: Date } | undefined;
    const finished = await this.dataSource.transaction(async (tx) => {
      const run = await this.runs.finish(tx, runId, outcome, onlyFrom);
      if (!run) return null;
      await this.runs.addToJobStats(tx, run);
      if (run.status === 'failed' || run.status === 'timed_out') retry = await this.scheduleRetry(tx, run, context);
      return run;
    });
    if (finished) this.metrics?.runFinished(finished);
    if (retry) await this.enqueue([retry]);
    return finished;
  }

  async cancel(id: number, actor: Actor): Promise<ExecutionResponseDto> {
    let cancelled: FinishedRun | undefined;
    const { wasQueued, queueName } = await this.dataSource.transaction(async (tx) => {
      const run = await this.runs.findByIdForUpdate(tx, id);
      if (!run) throw new NotFoundError('Execution', id);
      if (run.status !== 'queued' && run.status !== 'running') throw new ConflictError(`Execution ${id} is already ${run.status}; only queued or running runs can be cancelled`);
      const finished = await this.runs.finish(tx, id, { status: 'cancelled', error: `Cancelled by ${actor.name}` }, ['queued', 'running']);
      await this.runs.addToJobStats(tx, finished!);
      cancelled = finished!;
      await tx.query(`SELECT pg_notify($1, $2)`, [CHANNEL_RUN_CANCELLED, String(id)]);
      await this.audit.record(tx, { actor, action: 'execution.cancel', entityType: 'execution', entityId: id, changes: { status: { before: run.status, after: 'cancelled' } } });
      const context = await this.runs.retryContext(tx, id);
      return { wasQueued: run.status === 'queued', queueName: context?.taskQueue };
    });
    if (cancelled) this.metrics?.runFinished(cancelled);
    if (wasQueued && queueName) await this.queue.remove(queueName, id);
    return this.get(id);
  }

  private async scheduleRetry(tx: EntityManager, run: FinishedRun, context?: ClaimedRun) {
    const job = context ?? (await this.runs.retryContext(tx, run.id));
    if (!job || run.attempt > job.maxRetries) return undefined;
    const backoffSeconds = job.retryBackoffSeconds * 2 ** (run.attempt - 1);
    const notBefore = new Date(Date.now() + backoffSeconds * 1000);
    const [inserted] = await this.runs.insertRuns(tx, [
      {
        jobId: run.jobId,
        status: 'queued',
        trigger: 'retry',
        scheduledFor: run.scheduledFor,
        attempt: run.attempt + 1,
        kwargs: run.kwargs,
        triggeredBy: run.triggeredBy,
        notBefore,
        retryOf: run.id,
      },
    ]);
    return { id: inserted.id, taskQueue: job.taskQueue, taskPriority: job.taskPriority, notBefore };
  }
}
