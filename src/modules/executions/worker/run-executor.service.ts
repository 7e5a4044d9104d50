import { Injectable, Logger, Optional } from '@nestjs/common';
import { SpanKind, type Span } from '@opentelemetry/api';
import { inSpan, type TraceCarrier } from '../../../common/tracing/spans';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type DataLoader from 'dataloader';
import { hostname } from 'node:os';
import { createBatchLoader } from '../../../common/batch-loader';
import { LogContext } from '../../../common/logging/log-context.service';
import { captureRunLog } from '../../../common/logging/run-log-capture';
import { redactValue, rememberSecretValues, scrubText } from '../../../common/logging/redaction';
import { RUN_EVENTS } from '../run-events';
import { findSecretReferences, maskSecretValues, substituteSecrets } from '../../secrets/secret-references';
import { SecretsService } from '../../secrets/secrets.service';
import { TaskRegistry } from '../../tasks/task-registry.service';
import type { TaskContext } from '../../tasks/task.types';
import { ExecutionsService, type ClaimedRun, type RunOutcome } from '../executions.service';
import { RunLogWriter } from '../run-logs/run-log-writer';

/**
 * How long a worker keeps trying to record an outcome while the database is away. Giving up
 * sooner leaves the run `running` until the sweep (timeout_seconds + 60 s, an hour by default),
 * and an overlap-skip job skips every fire time until then.
 */
const OUTCOME_WRITE_DEADLINE_MS = 120_000;
const OUTCOME_WRITE_MAX_PAUSE_MS = 5_000;

export type AbortReason = 'timeout' | 'cancelled' | 'shutdown';

export type ExecuteResult = 'finished' | 'not-queued' | 'wait-for-previous';

/**
 * Executes one run on this worker: claim it (queued → running), call its task with merged
 * kwargs and an AbortSignal, enforce the timeout, then record the outcome. Cancellation and
 * shutdown abort the same signal.
 */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);
  private readonly inFlight = new Map<number, AbortController>();
  /** This process's worker id, recorded on the runs it claims. */
  readonly name = `${hostname()}:${process.pid}`;
  /**
   * queued → running, batched: one statement claims every run of the batch whose job does not
   * queue overlapping runs; the others (overlap `queue`, or no longer queued) go through the
   * one-by-one path that takes the job's turn in order.
   */
  private readonly claims: DataLoader<number, ClaimedRun | null> = createBatchLoader((runIds) =>
    this.executions.claim(runIds, this.name),
  );

  constructor(
    private readonly executions: ExecutionsService,
    private readonly tasks: TaskRegistry,
    private readonly secrets: SecretsService,
    private readonly events: EventEmitter2,
    private readonly runLogs: RunLogWriter,
    @Optional() private readonly logContext?: LogContext,
  ) {}

  get activeCount(): number {
    return this.inFlight.size;
  }

  /** Claims and runs one run, in a span continuing the trace of the dispatch that released it (`trace`). */
  execute(runId: number, trace?: TraceCarrier): Promise<ExecuteResult> {
    return inSpan('run', { 'jobs.run_id': runId }, (span) => this.claimAndRun(runId, span), {
      parent: trace,
      kind: SpanKind.CONSUMER,
    });
  }

  private async claimAndRun(runId: number, span: Span): Promise<ExecuteResult> {
    const claimed = await this.claims.load(runId);
    if (!claimed) return this.notClaimed(runId);
    span.setAttributes({
      'jobs.job_id': claimed.jobId,
      'jobs.job': claimed.jobName,
      'jobs.task': claimed.taskName,
      'jobs.attempt': claimed.attempt,
    });
    const controller = new AbortController();
    this.inFlight.set(runId, controller);
    this.events.emit(RUN_EVENTS.started, claimed);
    try {
      const log = this.runLogs.recorder(runId);
      const outcome = await this.inRunLogContext(claimed, () =>
        captureRunLog(log, () => this.runTask(claimed, controller)),
      );
      span.setAttribute('jobs.status', outcome.status);
      log.close();
      // The run's lines are in the database before its outcome: whoever sees it final reads them all.
      if (log.wrote) await this.runLogs.flush();
      await this.recordOutcome(runId, outcome);
      return 'finished';
    } finally {
      this.inFlight.delete(runId);
      this.events.emit(RUN_EVENTS.ended, claimed);
    }
  }

  /** Every line logged while the task runs (by the task or any service it calls) carries the run id. */
  private inRunLogContext<T>(run: ClaimedRun, work: () => Promise<T>): Promise<T> {
    const bindings = { run_id: run.id, job_id: run.jobId, job: run.jobName, task: run.taskName, attempt: run.attempt };
    return this.logContext ? this.logContext.run(bindings, work) : work();
  }

  /** Aborts a run executing in this process (cancel from any process arrives here by NOTIFY). */
  abort(runId: number, reason: AbortReason): boolean {
    const controller = this.inFlight.get(runId);
    if (!controller) return false;
    controller.abort(reason);
    return true;
  }

  abortAll(reason: AbortReason): void {
    for (const controller of this.inFlight.values()) controller.abort(reason);
  }

  /**
   * The run's kwargs with every `{"$secret": "NAME"}` replaced by the secret's value, decrypted
   * here, just before the task runs (stored kwargs keep the reference). The values join this
   * process's masked set, so no log line shows them. An unknown name fails the run, naming it.
   */
  private async resolveSecrets(run: ClaimedRun, revealed: string[]): Promise<Record<string, unknown>> {
    const refs = findSecretReferences(run.kwargs, 'kwargs');
    if (refs.length === 0) return run.kwargs;
    const { values, missing } = await this.secrets.reveal(refs.map((r) => r.name));
    if (missing.length > 0) {
      const where = refs.filter((r) => missing.includes(r.name)).map((r) => `"${r.name}" (at ${r.field})`);
      throw new Error(
        `Secret ${where.join(', ')} does not exist: create it with POST /api/v1/secrets or change the job's task_kwargs`,
      );
    }
    revealed.push(...values.values());
    rememberSecretValues(revealed);
    return substituteSecrets(run.kwargs, values) as Record<string, unknown>;
  }

  /** The outcome must not be lost to a database outage: tries until OUTCOME_WRITE_DEADLINE_MS, then the recovery sweep. */
  private async recordOutcome(runId: number, outcome: RunOutcome): Promise<void> {
    const deadline = Date.now() + OUTCOME_WRITE_DEADLINE_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.executions.completeRunning(runId, outcome);
        return;
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        this.logger.warn(`Run ${runId}: recording the outcome failed (try ${attempt}): ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(500 * attempt, OUTCOME_WRITE_MAX_PAUSE_MS)));
      }
    }
  }

  private async notClaimed(runId: number): Promise<ExecuteResult> {
    const status = await this.executions.statusOf(runId);
    if (status === 'queued') return 'wait-for-previous';
    if (status === 'running') {
      // The message came back while the run is marked running: its worker died (BullMQ
      // found the message stalled). Fail this attempt; a retry follows if any remain.
      this.logger.warn(`Run ${runId}: its worker was lost; recording the attempt as failed`);
      await this.executions.complete(runId, {
        status: 'failed',
        error: 'The worker running this attempt was lost (crash or kill)',
      });
    }
    return 'not-queued';
  }

  private async runTask(run: ClaimedRun, controller: AbortController): Promise<RunOutcome> {
    const timer = setTimeout(() => controller.abort('timeout'), run.timeoutSeconds * 1000);
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener(
        'abort',
        () => reject(new AbortedError(controller.signal.reason as AbortReason)),
        { once: true },
      ),
    );
    const ctx: TaskContext = {
      signal: controller.signal,
      runId: run.id,
      jobId: run.jobId,
      jobName: run.jobName,
      attempt: run.attempt,
      scheduledFor: run.scheduledFor,
      logger: taskLogger(run),
    };
    // The values of the secrets this run references: masked in whatever the run leaves behind.
    const revealed: string[] = [];
    try {
      const kwargs = await this.resolveSecrets(run, revealed);
      const result = await Promise.race([this.tasks.run(run.taskName, kwargs, run.taskArgs ?? [], ctx), aborted]);
      return { status: 'succeeded', result: maskSecretValues(result ?? null, revealed) };
    } catch (error) {
      if (error instanceof AbortedError || controller.signal.aborted)
        return abortedOutcome(controller.signal.reason as AbortReason, run);
      return { status: 'failed', error: maskSecretValues(errorText(error), revealed) };
    } finally {
      clearTimeout(timer);
    }
  }
}

class AbortedError extends Error {
  constructor(readonly reason: AbortReason) {
    super(`aborted: ${reason}`);
  }
}

function abortedOutcome(reason: AbortReason, run: ClaimedRun): RunOutcome {
  if (reason === 'timeout') return { status: 'timed_out', error: `Timed out after ${run.timeoutSeconds} s` };
  if (reason === 'shutdown')
    return { status: 'failed', error: 'Interrupted: the worker shut down before the task finished' };
  return { status: 'cancelled', error: 'Cancelled' };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}

/**
 * The task's logger: its lines go to the process log (with the run's id, LogContext) and to the
 * run's log (captureRunLog); `fields` are kept as structured fields in both, redacted first
 * (a task logs the URLs and headers it uses: their credentials must reach neither).
 */
function taskLogger(run: ClaimedRun): TaskContext['logger'] {
  const logger = new Logger(`task:${run.taskName}`);
  const line = (message: string, fields?: Record<string, unknown>) =>
    fields ? { ...redactValue(fields), msg: scrubText(message) } : message;
  return {
    debug: (m, fields) => logger.debug(line(m, fields)),
    log: (m, fields) => logger.log(line(m, fields)),
    warn: (m, fields) => logger.warn(line(m, fields)),
    error: (m, fields) => logger.error(line(m, fields)),
  };
}
