import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Job } from '../jobs/job.entity';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'];
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running'];
/** `status IN ${FINAL_STATUSES_SQL}`: the final statuses as an SQL list (constants only, no input). */
export const FINAL_STATUSES_SQL = `(${FINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

export const RUN_TRIGGERS = ['schedule', 'manual', 'retry', 'backfill'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
/**
 * The runs that stand for a fire time of the job's schedule: the dispatcher's, and those an
 * operator backfills for past fire times. A fire time has at most one of them.
 */
export const FIRE_TIME_TRIGGERS = ['schedule', 'backfill'] as const satisfies readonly RunTrigger[];
/**
 * The predicate of the unique fire-time index, `"trigger" IN ('schedule', 'backfill')`: an
 * `INSERT … ON CONFLICT (job_id, scheduled_for) WHERE …` must state it for PostgreSQL to infer the index.
 */
export const FIRE_TIME_RUN_SQL = `"trigger" IN (${FIRE_TIME_TRIGGERS.map((t) => `'${t}'`).join(', ')})`;

const numeric = { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

/**
 * One run of a job. A fire time has at most one `schedule` or `backfill` run: the partial unique
 * index on (job_id, scheduled_for) enforces it in the database, whatever the schedulers and
 * concurrent backfills do (migration BackfillTrigger widened it from `schedule` runs alone).
 */
@Entity('executions')
@Index('uq_executions_schedule_fire', ['jobId', 'scheduledFor'], { unique: true, where: FIRE_TIME_RUN_SQL })
@Index('idx_executions_job_id', ['jobId', 'id'])
@Index('idx_executions_status', ['status', 'id'])
@Index('idx_executions_active', ['jobId', 'status'], { where: `status IN ('queued', 'running')` })
// (finished_at) INCLUDE (status, duration_seconds): migration RunsFinishedAtCovering (TypeORM cannot express INCLUDE).
@Index('idx_executions_finished_at', { synchronize: false })
export class Execution {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'job_id', type: 'integer' })
  jobId: number;

  @ManyToOne(() => Job, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: Job;

  @Column({ type: 'varchar', length: 16 })
  status: RunStatus;

  @Column({ type: 'varchar', length: 16 })
  trigger: RunTrigger;

  @Column({ name: 'scheduled_for', type: 'timestamptz' })
  scheduledFor: Date;

  @Column({ name: 'queued_at', type: 'timestamptz', default: () => 'now()' })
  queuedAt: Date;

  /** Earliest start (a retry waits for its backoff). */
  @Column({ name: 'not_before', type: 'timestamptz', nullable: true })
  notBefore: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'duration_seconds', type: 'double precision', nullable: true, transformer: numeric })
  durationSeconds: number | null;

  @Column({ type: 'smallint', default: 1 })
  attempt: number;

  /** The run this one retries. */
  @Column({ name: 'retry_of', type: 'integer', nullable: true })
  retryOf: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  worker: string | null;

  @Column({ type: 'jsonb', default: {} })
  kwargs: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  result: unknown;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'triggered_by', type: 'varchar', length: 150, nullable: true })
  triggeredBy: string | null;
}
