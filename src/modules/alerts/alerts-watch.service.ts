import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Periodic } from '../../common/periodic';
import { JobStatsService } from '../jobs/job-stats.service';
import { AlertsService } from './alerts.service';

const TIMER = 'alerts-watch';
const WATCH_INTERVAL_MS = 30_000;
/** A delivery still pending this long after it was recorded lost its message: queued again. */
const STALE_DELIVERY_SECONDS = 600;
const STALE_LIMIT = 500;

/**
 * The scheduler role's part of alerting, every 30 s: `job.overdue` for the jobs of the overdue
 * list (once per missed fire time: the delivery's unique key), and deliveries whose queue
 * message was lost (a crash between recording and queueing) queued again.
 */
@Injectable()
export class AlertsWatchService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlertsWatchService.name);
  private readonly periodic: Periodic;

  constructor(
    registry: SchedulerRegistry,
    private readonly stats: JobStatsService,
    private readonly alerts: AlertsService,
  ) {
    this.periodic = new Periodic(registry, TIMER, this.logger, 'Alerts watch');
  }

  onApplicationBootstrap(): void {
    this.periodic.start(WATCH_INTERVAL_MS, () => this.watch());
  }

  async watch(now = new Date()): Promise<{ overdue: number; requeued: number }> {
    const overdue = await this.alerts.overdue(await this.stats.overdue(now), now);
    const requeued = await this.alerts.requeueStale(STALE_DELIVERY_SECONDS, STALE_LIMIT);
    return { overdue, requeued };
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }
}
