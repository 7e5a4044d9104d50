import type { MisfirePolicy, ScheduleType } from '../schedules/schedule.types';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { JOB_DEFAULTS } from './job-defaults';

export const JOB_TYPES = [
  'document_cleanup',
  'analytics_aggregation',
  'user_activity_digest',
  'system_health_check',
  'database_maintenance',
  'mcp_server_health_check',
  'custom',
] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const JOB_STATUSES = ['active', 'paused'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const OVERLAP_POLICIES = ['skip', 'allow', 'queue', 'replace'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/**
 * A job the dispatcher may fire: enabled, active, with a next fire time. The SQL of the partial
 * index `idx_jobs_due`; every query for due or overdue jobs uses it (and so that index).
 */
export const DUE_JOB_SQL = `is_enabled AND status = 'active' AND next_run_at IS NOT NULL`;

const numeric = { to: (v: number) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

@Entity('jobs')
@Index('idx_jobs_due', ['nextRunAt'], { where: DUE_JOB_SQL })
// (job_type, id) and (status, id), each INCLUDE-ing the other filter columns: created by the
// JobListIndexes migration (TypeORM cannot express INCLUDE), so the schema sync leaves them be.
@Index('idx_jobs_job_type_id', { synchronize: false })
@Index('idx_jobs_status_id', { synchronize: false })
// GIN on tags (migration JobTagsAndPauseReason): TypeORM cannot express the method.
@Index('idx_jobs_tags', { synchronize: false })
@Index('idx_jobs_created_at', ['createdAt'])
export class Job {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100, unique: true })
  name: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'job_type', type: 'varchar', length: 40 })
  jobType: JobType;

  @Column({ name: 'schedule_type', type: 'varchar', length: 16 })
  scheduleType: ScheduleType;

  @Column({ name: 'schedule_expression', type: 'varchar', length: 200 })
  scheduleExpression: string;

  @Column({ type: 'varchar', length: 64, default: JOB_DEFAULTS.timezone })
  timezone: string;

  @Column({ name: 'task_name', type: 'varchar', length: 200 })
  taskName: string;

  @Column({ name: 'task_args', type: 'jsonb', default: [] })
  taskArgs: unknown[];

  @Column({ name: 'task_kwargs', type: 'jsonb', default: {} })
  taskKwargs: Record<string, unknown>;

  @Column({ name: 'task_queue', type: 'varchar', length: 100, default: JOB_DEFAULTS.task_queue })
  taskQueue: string;

  @Column({ name: 'task_priority', type: 'smallint', default: JOB_DEFAULTS.task_priority })
  taskPriority: number;

  @Column({ name: 'timeout_seconds', type: 'integer', default: JOB_DEFAULTS.timeout_seconds })
  timeoutSeconds: number;

  @Column({ name: 'max_retries', type: 'smallint', default: JOB_DEFAULTS.max_retries })
  maxRetries: number;

  @Column({ name: 'retry_backoff_seconds', type: 'integer', default: JOB_DEFAULTS.retry_backoff_seconds })
  retryBackoffSeconds: number;

  @Column({ name: 'misfire_policy', type: 'varchar', length: 16, default: JOB_DEFAULTS.misfire_policy })
  misfirePolicy: MisfirePolicy;

  @Column({ name: 'overlap_policy', type: 'varchar', length: 16, default: JOB_DEFAULTS.overlap_policy })
  overlapPolicy: OverlapPolicy;

  @Column({ name: 'is_enabled', type: 'boolean', default: JOB_DEFAULTS.is_enabled })
  isEnabled: boolean;

  @Column({ type: 'varchar', length: 16, default: JOB_DEFAULTS.status })
  status: JobStatus;

  @Column({ name: 'next_run_at', type: 'timestamptz', nullable: true })
  nextRunAt: Date | null;

  @Column({ name: 'last_run_at', type: 'timestamptz', nullable: true })
  lastRunAt: Date | null;

  @Column({ name: 'last_run_status', type: 'varchar', length: 16, nullable: true })
  lastRunStatus: string | null;

  @Column({ name: 'total_runs', type: 'integer', default: 0 })
  totalRuns: number;

  @Column({ name: 'successful_runs', type: 'integer', default: 0 })
  successfulRuns: number;

  @Column({ name: 'failed_runs', type: 'integer', default: 0 })
  failedRuns: number;

  /** Sum of the durations of finished runs; the average is derived from it. */
  @Column({ name: 'total_duration_seconds', type: 'double precision', default: 0, transformer: numeric })
  totalDurationSeconds: number;

  @Column({ type: 'jsonb', default: {} })
  config: Record<string, unknown>;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  /** Labels to find it by (`GET /jobs/?tag=`). */
  @Column({ type: 'varchar', length: 64, array: true, default: () => "'{}'" })
  tags: string[];

  /** The active window: no fire time before start_at, none at or after end_at (null: open). */
  @Column({ name: 'start_at', type: 'timestamptz', nullable: true })
  startAt: Date | null;

  @Column({ name: 'end_at', type: 'timestamptz', nullable: true })
  endAt: Date | null;

  /** At most this many scheduled runs ever (null: unlimited), against scheduledRuns. */
  @Column({ name: 'max_runs', type: 'integer', nullable: true })
  maxRuns: number | null;

  /**
   * Scheduled runs recorded so far: kept by SQL only (the dispatcher adds the runs it records,
   * giving back runs claimed ahead takes them off), never written by an entity save; pruned old
   * runs still count.
   */
  @Column({ name: 'scheduled_runs', type: 'integer', default: 0, update: false })
  scheduledRuns: number;

  /** Each scheduled run starts a deterministic 0 ≤ offset < jitter_seconds after its fire time. */
  @Column({ name: 'jitter_seconds', type: 'integer', default: JOB_DEFAULTS.jitter_seconds })
  jitterSeconds: number;

  /** Why, by whom and when it was paused (null while active). */
  @Column({ name: 'paused_reason', type: 'varchar', length: 500, nullable: true })
  pausedReason: string | null;

  @Column({ name: 'paused_by', type: 'varchar', length: 150, nullable: true })
  pausedBy: string | null;

  @Column({ name: 'paused_at', type: 'timestamptz', nullable: true })
  pausedAt: Date | null;

  /** Channels its alerts go to; none: the default channels (migration Notifications). */
  @Column({ name: 'notify_channel_ids', type: 'integer', array: true, default: () => "'{}'" })
  notifyChannelIds: number[];

  /** Events it alerts on. */
  @Column({
    name: 'notify_on',
    type: 'varchar',
    length: 32,
    array: true,
    default: () => "'{run.failed,run.timed_out}'",
  })
  notifyOn: string[];

  @Column({ name: 'created_by', type: 'varchar', length: 150, nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
