import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { QueueService } from '../executions/queue/queue.service';
import { MetricsRepository } from './metrics.repository';
import { MetricsService, type ScrapeSources } from './metrics.service';
import { withTimeout } from './with-timeout';

const JOB_TYPE_TTL_MS = 60_000;
/** A scrape never waits longer than this for the queue backend or the database. */
const SCRAPE_TIMEOUT_MS = 3000;

/** Tells MetricsService where shared state lives: queue depths (BullMQ), overdue jobs and job types (SQL). */
@Injectable()
export class MetricsScrapeSources implements ScrapeSources, OnModuleInit {
  private readonly logger = new Logger(MetricsScrapeSources.name);
  private readonly jobTypes = new Map<number, { type: string; at: number }>();

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly repository: MetricsRepository,
    private readonly queue: QueueService,
  ) {}

  onModuleInit(): void {
    this.metrics.setSources(this);
  }

  async queueDepths(): Promise<Record<string, number>> {
    try {
      const names = await this.repository.queues();
      const depths = await withTimeout(Promise.all(names.map((name) => this.queue.depth(name))), SCRAPE_TIMEOUT_MS);
      return Object.fromEntries(names.map((name, i) => [name, depths[i]]));
    } catch (error) {
      this.logger.warn(`Queue depth not available: ${(error as Error).message}`);
      return {};
    }
  }

  overdueJobs(): Promise<number> {
    return withTimeout(this.repository.countOverdue(this.config.overdueGraceSeconds), SCRAPE_TIMEOUT_MS);
  }

  async jobTypeOf(jobId: number): Promise<string> {
    const cached = this.jobTypes.get(jobId);
    if (cached && Date.now() - cached.at < JOB_TYPE_TTL_MS) return cached.type;
    const type = (await this.repository.jobTypeOf(jobId)) ?? 'unknown';
    if (this.jobTypes.size > 10_000) this.jobTypes.clear();
    this.jobTypes.set(jobId, { type, at: Date.now() });
    return type;
  }
}
