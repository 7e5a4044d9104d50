import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Periodic } from '../../common/periodic';
import { AppConfig } from '../../config/app-config';
import { ExecutionsService } from '../executions/executions.service';

const TIMER = 'run-recovery';
/** A run `running` this long past its job's timeout has certainly lost its worker. */
const RUNNING_GRACE_SECONDS = 60;
const SWEEP_LIMIT = 500;

/**
 * Nothing stays `queued` or `running` forever. Runs recorded but never enqueued (a crash
 * between commit and enqueue) are enqueued again — harmless, the run id is the message id
 * and a worker only starts a run that is still queued. Runs whose worker vanished without
 * BullMQ noticing are failed (and retried if attempts remain). BullMQ's stalled-message
 * check handles the common case of a killed worker much sooner (WORKER_LOCK_SECONDS).
 */
@Injectable()
export class RunRecoveryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RunRecoveryService.name);
  private readonly periodic: Periodic;

  constructor(
    private readonly config: AppConfig,
    registry: SchedulerRegistry,
    private readonly executions: ExecutionsService,
  ) {
    this.periodic = new Periodic(registry, TIMER, this.logger, 'Recovery sweep');
  }

  onApplicationBootstrap(): void {
    this.periodic.start(this.config.recoveryIntervalSeconds * 1000, () => this.sweep());
  }

  async sweep(): Promise<{ requeued: number; failed: number }> {
    const stale = await this.executions.findStaleQueued(this.config.recoveryQueuedSeconds, SWEEP_LIMIT);
    await this.executions.enqueue(stale);
    const lost = await this.executions.findLostRunning(RUNNING_GRACE_SECONDS, SWEEP_LIMIT);
    for (const id of lost) {
      await this.executions.complete(id, {
        status: 'failed',
        error: 'The worker running this attempt was lost (no result long after its timeout)',
      });
    }
    if (lost.length > 0) this.logger.warn(`Recovered ${lost.length} run(s) whose worker was lost`);
    return { requeued: stale.length, failed: lost.length };
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }
}
