import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { JobResponseDto } from './dto/job-response.dto';
import type { OverdueJobDto } from './dto/job-stats.dto';
import { JobStatsRepository, type JobCounts } from './job-stats.repository';
import { JobsRepository } from './jobs.repository';

export type { CountRow, JobCounts } from './job-stats.repository';

/** The jobs' statistics: the overdue list and count, job counts, and the skipped runs' share of the counters. */
@Injectable()
export class JobStatsService {
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

  /** How many jobs are more than OVERDUE_GRACE_SECONDS late. */
  countOverdue(): Promise<number> {
    return this.stats.countOverdue(this.config.overdueGraceSeconds);
  }

  /** Jobs by status, type and enabled flag, the run counters summed over all jobs, and the overdue count. */
  jobCounts(): Promise<JobCounts> {
    return this.stats.jobCounts(this.config.overdueGraceSeconds);
  }

  /** Counts runs the dispatcher recorded as skipped (in its transaction `tx`) in their jobs' statistics. */
  addSkippedRuns(tx: EntityManager, jobIds: number[]): Promise<void> {
    return this.stats.addSkippedRuns(tx, jobIds);
  }
}
