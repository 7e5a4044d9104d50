import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Execution } from '../execution.entity';
import { RUN_LOG_LEVELS, type RunLogLevel } from '../../../common/logging/run-log-capture';

export { RUN_LOG_LEVELS, type RunLogLevel };

/**
 * One line a task logged during its run (migration RunLogs). Deleted with its run (foreign key
 * ON DELETE CASCADE); written in batches by RunLogWriter, read by RunLogsService.
 */
@Entity('run_logs')
export class RunLogLine {
  @PrimaryColumn({ name: 'run_id', type: 'integer' })
  runId: number;

  /** 1, 2, 3, … within the run. */
  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'varchar', length: 8 })
  level: RunLogLevel;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'jsonb', nullable: true })
  fields: Record<string, unknown> | null;

  /** The foreign key (never loaded): a run's lines go with it. */
  @ManyToOne(() => Execution, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id' })
  run?: Execution;
}
