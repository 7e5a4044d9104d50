import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { setTimeout as sleep } from 'node:timers/promises';
import { Periodic } from '../../common/periodic';
import { AppConfig } from '../../config/app-config';
import { ExecutionsService } from '../executions/executions.service';

const TIMER = 'run-retention';
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/** The first pass waits this long after start-up (start-up has enough to do). */
const FIRST_PASS_DELAY_MS = 60_000;
/** Runs per DELETE (their log lines go with them): small statements, short locks. */
export const RETENTION_BATCH = 500;
/** Pause between batches, so that pruning a backlog never crowds out the dispatcher. */
const BATCH_PAUSE_MS = 50;

/**
 * Retention on by default: the scheduler role deletes runs (and, by the foreign key, their
 * logs) that finished more than RUN_RETENTION_DAYS ago, in batches of RETENTION_BATCH, once an
 * hour, whether or not the `database_maintenance` job runs. RUN_RETENTION_DAYS=0 keeps runs.
 * Job counters (total, succeeded, failed) are the job's own columns: they keep counting all time.
 */
@Injectable()
export class RunRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RunRetentionService.name);
  private readonly stopping = new AbortController();
  private readonly periodic: Periodic;

  constructor(
    private readonly config: AppConfig,
    registry: SchedulerRegistry,
    private readonly executions: ExecutionsService,
  ) {
    this.periodic = new Periodic(registry, TIMER, this.logger, 'Run retention');
  }

  onApplicationBootstrap(): void {
    if (this.config.runRetentionDays > 0) this.periodic.start(HOUR_MS, () => this.prune(), FIRST_PASS_DELAY_MS);
  }

  /** Deletes every run that finished before the cutoff, a batch at a time; returns how many went. */
  async prune(now = new Date()): Promise<number> {
    if (this.config.runRetentionDays === 0) return 0;
    const cutoff = new Date(now.getTime() - this.config.runRetentionDays * DAY_MS);
    let deleted = 0;
    while (!this.stopping.signal.aborted) {
      const n = await this.executions.pruneFinishedBefore(cutoff, RETENTION_BATCH);
      deleted += n;
      if (n < RETENTION_BATCH) break;
      await sleep(BATCH_PAUSE_MS);
    }
    if (deleted > 0)
      this.logger.log(`Deleted ${deleted} runs that finished before ${cutoff.toISOString()} (RUN_RETENTION_DAYS)`);
    return deleted;
  }

  onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    return this.periodic.stop();
  }
}
