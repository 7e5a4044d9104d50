import { ApiProperty } from '@nestjs/swagger';

export class RunOutcomeCountsDto {
  succeeded: number;
  /** Failed or timed out. */
  failed: number;
  /** Cancelled or skipped. */
  other: number;
}

export class JobStatsOverviewDto {
  total_jobs: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { active: 4, paused: 1 } })
  jobs_by_status: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { system_health_check: 1, custom: 3 },
  })
  jobs_by_type: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { enabled: 4, disabled: 1 } })
  jobs_by_enabled: Record<string, number>;
  overdue_jobs: number;
  /** Every run that ended, over the service's lifetime. */
  total_runs: number;
  runs_by_outcome: RunOutcomeCountsDto;
  /** succeeded / (succeeded + failed), in percent; null before any run finished. */
  @ApiProperty({ type: Number, nullable: true })
  success_rate: number | null;
  @ApiProperty({ type: Number, nullable: true })
  avg_duration_seconds: number | null;
  /**
   * 95th percentile of the durations of runs that succeeded, failed or timed out in the last 24
   * hours (whole minutes): an estimate from a histogram whose bucket bounds are powers of √2
   * milliseconds. It lies in the bucket that holds the exact value, so it is off by 41 % at most.
   */
  @ApiProperty({ type: Number, nullable: true })
  p95_duration_seconds: number | null;
  /** Runs that ended in the last 24 hours: in the current minute or the 1,439 whole minutes before it. */
  runs_last_24h: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { succeeded: 90, failed: 2 } })
  runs_last_24h_by_status: Record<string, number>;
  running_now: number;
  queued_now: number;
}
