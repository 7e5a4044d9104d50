import { Injectable } from '@nestjs/common';
import { Coalescer } from '../../common/coalescer';
import { AppConfig } from '../../config/app-config';
import { JobResponseDto } from './dto/job-response.dto';
import type { JobStatsOverviewDto, OverdueJobDto } from './dto/job-stats.dto';
import { JobStatsRepository, type CountRow } from './job-stats.repository';
import { JobsRepository } from './jobs.repository';

/** Read models over jobs and runs: the overdue list and the statistics overview. */
@Injectable()
export class JobStatsService {
  /** The overview scans every job and a day of runs: concurrent requests share one computation. */
  private readonly overviews = new Coalescer(() => this.computeOverview());

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobsRepository,
    private readonly stats: JobStatsRepository,
  ) {}

  async overdue(now = new Date()): Promise<OverdueJobDto[]> {
    const jobs = await this.jobs.overdue(now, this.config.overdueGraceSeconds);
    return jobs.map((job) => ({
      ...JobResponseDto.from(job),
      overdue_seconds: Math.round((now.getTime() - job.nextRunAt!.getTime()) / 1000),
    }));
  }

  overview(): Promise<JobStatsOverviewDto> {
    return this.overviews.get();
  }

  private async computeOverview(): Promise<JobStatsOverviewDto> {
    const [jobs, lastDay, active] = await Promise.all([
      this.stats.jobCounts(this.config.overdueGraceSeconds),
      this.stats.lastDay(),
      this.stats.activeNow(),
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
