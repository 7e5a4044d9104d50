import { ApiProperty } from '@nestjs/swagger';

export class RunOutcomeCountsDto {
  /**
   * Runs that succeeded
   * @example 118
   */
  succeeded: number;
  /**
   * Failed or timed out.
   * @example 3
   */
  failed: number;
  /**
   * Cancelled or skipped.
   * @example 5
   */
  other: number;
}

/** The runs that ended in one hour. */
export class RunsInHourDto {
  /**
   * The hour's start (UTC); the oldest one counts only its minutes inside the 24-hour window
   * @example "2026-03-01T09:00:00.000Z"
   */
  hour: string;
  /**
   * Runs that ended in it, whatever their outcome
   * @example 12
   */
  runs: number;
  /**
   * Of those, the ones that failed or timed out
   * @example 1
   */
  failed: number;
}

export class JobStatsOverviewDto {
  /**
   * Every job, whatever its status
   * @example 5
   */
  total_jobs: number;
  /** Jobs by status (active, paused) */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { active: 4, paused: 1 } })
  jobs_by_status: Record<string, number>;
  /** Jobs by job_type */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { system_health_check: 1, custom: 3 },
  })
  jobs_by_type: Record<string, number>;
  /** Jobs by is_enabled (enabled, disabled) */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { enabled: 4, disabled: 1 } })
  jobs_by_enabled: Record<string, number>;
  /**
   * Jobs in GET /api/v1/jobs/overdue/list
   * @example 1
   */
  overdue_jobs: number;
  /**
   * Every run that ended, over the service's lifetime.
   * @example 126
   */
  total_runs: number;
  /** Runs that ended, by outcome */
  runs_by_outcome: RunOutcomeCountsDto;
  /**
   * succeeded / (succeeded + failed), in percent; null before any run finished.
   * @example 97.52
   */
  @ApiProperty({ type: Number, nullable: true })
  success_rate: number | null;
  /**
   * Average duration of the runs that ended; null before any did
   * @example 3.841
   */
  @ApiProperty({ type: Number, nullable: true })
  avg_duration_seconds: number | null;
  /**
   * 95th percentile of the durations of runs that succeeded, failed or timed out in the last 24
   * hours (whole minutes): an estimate from a histogram whose bucket bounds are powers of √2
   * milliseconds. It lies in the bucket that holds the exact value, so it is off by 41 % at most.
   * @example 12.5
   */
  @ApiProperty({ type: Number, nullable: true })
  p95_duration_seconds: number | null;
  /**
   * Runs that ended in the last 24 hours: in the current minute or the 1,439 whole minutes before it.
   * @example 92
   */
  runs_last_24h: number;
  /** Runs that ended in the last 24 hours, by status */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { succeeded: 90, failed: 2 } })
  runs_last_24h_by_status: Record<string, number>;
  /** Runs that ended in each of the last 24 hours, oldest first (the current hour last) */
  @ApiProperty({ type: () => [RunsInHourDto] })
  runs_per_hour: RunsInHourDto[];
  /**
   * Runs running now
   * @example 1
   */
  running_now: number;
  /**
   * Runs queued now, waiting for a worker
   * @example 0
   */
  queued_now: number;
}
