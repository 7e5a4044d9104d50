import { Injectable } from '@nestjs/common';
import { Coalescer } from '../../common/coalescer';
import { ExecutionsService } from '../executions/executions.service';
import { JobStatsService, type CountRow } from '../jobs/job-stats.service';
import type { JobStatsOverviewDto } from './dto/overview.dto';

/**
 * The statistics overview over jobs and runs: job counts and run totals from the jobs module
 * (job_counts, job_run_totals), the last day (run_window, run_minutes) and "now" from the runs
 * module; aggregates kept by triggers, so each read sums a few dozen rows.
 */
@Injectable()
export class OverviewService {
  /** Concurrent requests share one computation (five small queries). */
  private readonly overviews = new Coalescer(() => this.compute());

  constructor(
    private readonly jobStats: JobStatsService,
    private readonly executions: ExecutionsService,
  ) {}

  overview(): Promise<JobStatsOverviewDto> {
    return this.overviews.get();
  }

  private async compute(): Promise<JobStatsOverviewDto> {
    const [jobs, lastDay, active, perHour] = await Promise.all([
      this.jobStats.jobCounts(),
      this.executions.lastDay(),
      this.executions.activeNow(),
      this.executions.runsPerHour(),
    ]);
    const totals = jobs.runs;
    const finished = totals.succeeded + totals.failed;
    const enabled = toRecord(jobs.byEnabled);
    return {
      total_jobs: jobs.total,
      jobs_by_status: toRecord(jobs.byStatus),
      jobs_by_type: toRecord(jobs.byType),
      jobs_by_enabled: { enabled: enabled.true ?? 0, disabled: enabled.false ?? 0 },
      overdue_jobs: jobs.overdue,
      total_runs: totals.total,
      runs_by_outcome: { succeeded: totals.succeeded, failed: totals.failed, other: totals.total - finished },
      success_rate: finished === 0 ? null : round((totals.succeeded / finished) * 100),
      avg_duration_seconds: finished === 0 ? null : round(totals.durationSum / finished, 3),
      p95_duration_seconds: lastDay.p95 === null ? null : round(lastDay.p95, 3),
      runs_last_24h: lastDay.total,
      runs_last_24h_by_status: toRecord(lastDay.byStatus),
      runs_per_hour: perHour.map((h) => ({ hour: h.hour.toISOString(), runs: h.runs, failed: h.failed })),
      running_now: active.running,
      queued_now: active.queued,
    };
  }
}

function toRecord(rows: CountRow[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
