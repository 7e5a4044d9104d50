import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { QueueService } from '../executions/queue/queue.service';
import { JobStatsService } from '../jobs/job-stats.service';
import { JobsService } from '../jobs/jobs.service';
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
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    private readonly jobs: JobsService,
    private readonly jobStats: JobStatsService,
    private readonly queue: QueueService,
  ) {}

  onModuleInit(): void {
    this.metrics.setSources(this);
    const dataSource = this.dataSource;
    new Gauge({
      name: 'jobs_database_up',
      help: 'Whether this process reached the database at scrape time (1) or not (0: then jobs_overdue is NaN and jobs_queue_depth may be missing)',
      registers: [this.metrics.registry],
      async collect() {
        this.set(
          await withTimeout(dataSource.query('SELECT 1'), SCRAPE_TIMEOUT_MS, 'database ping').then(
            () => 1,
            () => 0,
          ),
        );
      },
    });
  }

  /** Never fails and never waits longer than SCRAPE_TIMEOUT_MS: a scrape answers without the database or the queue backend. */
  async queueDepths(): Promise<Record<string, number>> {
    try {
      return await withTimeout(
        (async () => {
          const names = await this.jobs.queues();
          const depths = await Promise.all(names.map((name) => this.queue.depth(name)));
          return Object.fromEntries(names.map((name, i) => [name, depths[i]]));
        })(),
        SCRAPE_TIMEOUT_MS,
        'queue depth',
      );
    } catch (error) {
      this.logger.warn(`Queue depth not available: ${(error as Error).message}`);
      return {};
    }
  }

  /** NaN (unknown) when the database cannot answer within SCRAPE_TIMEOUT_MS. */
  async overdueJobs(): Promise<number> {
    try {
      return await withTimeout(this.jobStats.countOverdue(), SCRAPE_TIMEOUT_MS, 'overdue jobs');
    } catch (error) {
      this.logger.warn(`Overdue jobs not available: ${(error as Error).message}`);
      return Number.NaN;
    }
  }

  async jobTypeOf(jobId: number): Promise<string> {
    const cached = this.jobTypes.get(jobId);
    if (cached && Date.now() - cached.at < JOB_TYPE_TTL_MS) return cached.type;
    const type = (await withTimeout(this.jobs.jobTypeOf(jobId), SCRAPE_TIMEOUT_MS, 'job type')) ?? 'unknown';
    if (this.jobTypes.size > 10_000) this.jobTypes.clear();
    this.jobTypes.set(jobId, { type, at: Date.now() });
    return type;
  }
}
