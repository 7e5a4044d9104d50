import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DelayedError, type Job as QueueJob, type Worker } from 'bullmq';
import { AppConfig } from '../../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { CHANNEL_JOBS_CHANGED, CHANNEL_RUN_CANCELLED, PgNotifier } from '../../../database/pg-notifier.service';
import { QueueService, type RunMessage } from '../queue/queue.service';
import { RunExecutor } from './run-executor.service';

/** How long a run of an `overlap_policy: queue` job waits before it looks again. */
const OVERLAP_RECHECK_MS = 500;

/**
 * The worker role: consumes WORKER_QUEUES (default: every queue jobs use, followed as jobs
 * change) with WORKER_CONCURRENCY, and drains gracefully on shutdown.
 */
@Injectable()
export class RunWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RunWorkerService.name);
  private readonly workers = new Map<string, Worker<RunMessage>>();
  private stopping = false;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly queue: QueueService,
    private readonly executor: RunExecutor,
    private readonly jobs: JobsService,
    private readonly notifier: PgNotifier,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.notifier.subscribe(CHANNEL_RUN_CANCELLED, (id) => this.executor.abort(Number(id), 'cancelled'));
    if (!this.config.workerQueues) {
      await this.notifier.subscribe(CHANNEL_JOBS_CHANGED, () => {
        this.refreshing = this.refreshing
          .then(() => this.refreshQueues())
          .catch((e: Error) => this.logger.warn(e.message));
      });
    }
    await this.refreshQueues();
    this.logger.log(
      `Worker ${this.name} consuming ${[...this.workers.keys()].join(', ')} (concurrency ${this.config.workerConcurrency})`,
    );
  }

  /** This process's worker id (the executor's). */
  get name(): string {
    return this.executor.name;
  }

  get queues(): string[] {
    return [...this.workers.keys()];
  }

  /** Queues whose BullMQ worker is running (readiness: GET /health/ready). */
  get runningQueues(): string[] {
    return this.stopping ? [] : [...this.workers].filter(([, worker]) => worker.isRunning()).map(([name]) => name);
  }

  private async refreshQueues(): Promise<void> {
    if (this.stopping) return;
    const names = this.config.workerQueues ?? (await this.jobs.queues());
    for (const name of names) {
      if (this.workers.has(name)) continue;
      const worker = await this.queue.createWorker(name, (job, token) => this.process(job, token), {
        concurrency: this.config.workerConcurrency,
        lockDuration: this.config.workerLockSeconds * 1000,
        stalledInterval: (this.config.workerLockSeconds * 1000) / 2,
        maxStalledCount: 10,
      });
      this.workers.set(name, worker);
    }
  }

  private async process(job: QueueJob<RunMessage>, token?: string): Promise<void> {
    const outcome = await this.executor.execute(job.data.runId, job.data.trace);
    if (outcome === 'wait-for-previous') {
      await job.moveToDelayed(Date.now() + OVERLAP_RECHECK_MS, token);
      throw new DelayedError();
    }
  }

  /** SIGTERM: stop taking runs, let running ones finish up to the deadline, then interrupt them. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.refreshing;
    const closing = Promise.all([...this.workers.values()].map((w) => w.close()));
    const deadline = setTimeout(() => {
      if (this.executor.activeCount > 0)
        this.logger.warn(`Interrupting ${this.executor.activeCount} run(s) still going at the shutdown deadline`);
      this.executor.abortAll('shutdown');
    }, this.config.shutdownTimeoutSeconds * 1000);
    try {
      await closing;
    } finally {
      clearTimeout(deadline);
    }
  }
}
