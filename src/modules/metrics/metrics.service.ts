import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DISPATCH_EVENTS, type DispatchPassEvent } from '../dispatcher/dispatch-events';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OnEvent } from '@nestjs/event-emitter';
import {
  RUN_EVENTS,
  type RunFinishedEvent,
  type RunProgressEvent,
  type RunSkippedEvent,
} from '../executions/run-events';
import { DELIVERY_EVENTS, type DeliveryAttemptedEvent } from '../channels/delivery-events';
import { sampleEventLoopDelay } from './event-loop-delay';

/** What a scrape asks the rest of the service (registered by MetricsScrapeSources). */
export interface ScrapeSources {
  queueDepths(): Promise<Record<string, number>>;
  overdueJobs(): Promise<number>;
  jobTypeOf(jobId: number): Promise<string>;
}

/** A run as the instrumentation hooks see it. */

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600];
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus metrics of this process, in a registry of its own (never prom-client's
 * global one, so several apps can live in one process). Counters and histograms move through
 * the hooks below (one call per event); the gauges of shared state (queue depth, overdue
 * jobs) are read when /metrics is scraped.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  /** Stops the event-loop delay sampler (nodejs_eventloop_delay_seconds). */
  private readonly stopLoopSampling = sampleEventLoopDelay(this.registry);
  private sources: ScrapeSources | undefined;

  private readonly runs = new Counter({
    name: 'jobs_runs_total',
    help: 'Runs that reached an outcome, by job type and outcome (succeeded, failed, timed_out, cancelled, skipped)',
    labelNames: ['job_type', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly deliveries = new Counter({
    name: 'jobs_notifications_total',
    help: 'Tries of alert deliveries, by channel type and outcome (delivered, retrying, failed)',
    labelNames: ['channel_type', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly retries = new Counter({
    name: 'jobs_retries_total',
    help: 'Retries recorded (a failed or timed-out attempt with attempts left), by job type',
    labelNames: ['job_type'] as const,
    registers: [this.registry],
  });

  private readonly dispatchPasses = new Counter({
    name: 'jobs_dispatch_passes_total',
    help: "This process's dispatch passes (claim batches), scheduler role",
    registers: [this.registry],
  });

  private readonly lastDispatchPass = new Gauge({
    name: 'jobs_dispatcher_last_pass_timestamp_seconds',
    help: "When this process's dispatcher last completed a pass (Unix time; alert when it stops moving)",
    registers: [this.registry],
  });

  private readonly runDuration = new Histogram({
    name: 'jobs_run_duration_seconds',
    help: 'How long finished runs ran, by job type and outcome',
    labelNames: ['job_type', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly dispatchLag = new Histogram({
    name: 'jobs_dispatch_lag_seconds',
    help: 'started_at - scheduled_for of first attempts (backfill runs aside), observed when a worker starts a run, by queue',
    labelNames: ['queue'] as const,
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  private readonly inFlight = new Gauge({
    name: 'jobs_runs_in_flight',
    help: 'Runs this process is executing now, by queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    const sources = () => this.sources;
    new Gauge({
      name: 'jobs_queue_depth',
      help: 'Messages waiting, delayed, prioritized or active per queue (read on scrape)',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        const depths = await sources()?.queueDepths();
        this.reset();
        for (const [queue, depth] of Object.entries(depths ?? {})) this.set({ queue }, depth);
      },
    });
    new Gauge({
      name: 'jobs_overdue',
      help: 'Enabled, active jobs more than OVERDUE_GRACE_SECONDS past their next_run_at (read on scrape)',
      registers: [this.registry],
      async collect() {
        const source = sources();
        if (source) this.set(await source.overdueJobs());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  onModuleDestroy(): void {
    this.stopLoopSampling();
  }

  setSources(sources: ScrapeSources): void {
    this.sources = sources;
  }

  /** A worker started a run (queued → running). */
  @OnEvent(RUN_EVENTS.started)
  runStarted(run: RunProgressEvent): void {
    const queue = run.taskQueue ?? 'default';
    this.inFlight.inc({ queue });
    // A backfill run stands for a fire time long past: how late it starts says nothing of dispatch.
    if (run.scheduledFor && (run.attempt ?? 1) === 1 && run.trigger !== 'backfill') {
      this.dispatchLag.observe({ queue }, Math.max(0, (Date.now() - new Date(run.scheduledFor).getTime()) / 1000));
    }
  }

  /** The worker is done with a run (whatever its outcome). */
  @OnEvent(RUN_EVENTS.ended)
  runEnded(run: RunProgressEvent): void {
    this.inFlight.dec({ queue: run.taskQueue ?? 'default' });
  }

  /** A run reached an outcome (worker, recovery sweep, cancel). */
  @OnEvent(RUN_EVENTS.finished)
  runFinished(run: RunFinishedEvent): void {
    void this.withJobType(run, (jobType) => {
      this.runs.inc({ job_type: jobType, outcome: run.status });
      if (run.retry) this.retries.inc({ job_type: jobType });
      if (run.durationSeconds !== null && run.durationSeconds !== undefined && run.status !== 'skipped') {
        this.runDuration.observe({ job_type: jobType, outcome: run.status }, run.durationSeconds);
      }
    });
  }

  @OnEvent(DISPATCH_EVENTS.pass)
  dispatchPass(event: DispatchPassEvent): void {
    this.dispatchPasses.inc();
    this.lastDispatchPass.set(event.at / 1000);
  }

  @OnEvent(DELIVERY_EVENTS.attempted)
  deliveryAttempted(event: DeliveryAttemptedEvent): void {
    this.deliveries.inc({ channel_type: event.channelType, outcome: event.outcome });
  }

  /** The dispatcher recorded runs as skipped (overlap policy), one entry per run. */
  @OnEvent(RUN_EVENTS.skipped)
  runsSkipped(runs: RunSkippedEvent[]): void {
    for (const run of runs) this.runFinished({ ...run, status: 'skipped' });
  }

  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** The event's job type, or (an event without one) the job's, looked up. */
  private async withJobType(run: { jobId: number; jobType?: string }, use: (jobType: string) => void): Promise<void> {
    if (run.jobType) return use(run.jobType);
    let jobType = 'unknown';
    try {
      if (this.sources) jobType = await this.sources.jobTypeOf(run.jobId);
    } catch {
      // A metric must never break a run: count it under "unknown".
    }
    use(jobType);
  }
}
