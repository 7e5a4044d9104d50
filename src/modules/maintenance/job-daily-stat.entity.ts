import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

const numeric = { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

/** Finished runs of one job on one UTC day (by scheduled time), rolled up by `analytics_aggregation`. */
@Entity('job_daily_stats')
@Index('idx_job_daily_stats_day', ['day'])
export class JobDailyStat {
  @PrimaryColumn({ name: 'job_id', type: 'integer' })
  jobId: number;

  /** `YYYY-MM-DD`, UTC. */
  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ type: 'integer', default: 0 })
  runs: number;

  @Column({ type: 'integer', default: 0 })
  succeeded: number;

  @Column({ type: 'integer', default: 0 })
  failed: number;

  @Column({ name: 'timed_out', type: 'integer', default: 0 })
  timedOut: number;

  @Column({ type: 'integer', default: 0 })
  cancelled: number;

  @Column({ type: 'integer', default: 0 })
  skipped: number;

  @Column({ name: 'avg_duration_seconds', type: 'double precision', nullable: true, transformer: numeric })
  avgDurationSeconds: number | null;

  @Column({ name: 'p50_duration_seconds', type: 'double precision', nullable: true, transformer: numeric })
  p50DurationSeconds: number | null;

  @Column({ name: 'p95_duration_seconds', type: 'double precision', nullable: true, transformer: numeric })
  p95DurationSeconds: number | null;

  /** Seconds from the scheduled time to the start. */
  @Column({ name: 'avg_start_lag_seconds', type: 'double precision', nullable: true, transformer: numeric })
  avgStartLagSeconds: number | null;

  @Column({ name: 'p95_start_lag_seconds', type: 'double precision', nullable: true, transformer: numeric })
  p95StartLagSeconds: number | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
