import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One user's audit activity over one period, written by the `user_activity_digest` task. */
@Entity('user_activity_digests')
@Index('uq_user_activity_digests_period_actor', ['periodStart', 'periodEnd', 'actor'], { unique: true })
@Index('idx_user_activity_digests_actor', ['actor'])
export class UserActivityDigest {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd: Date;

  /** The audit actor: a username, `cli:<os user>` or `system:<component>`. */
  @Column({ type: 'varchar', length: 150 })
  actor: string;

  @Column({ name: 'total_actions', type: 'integer' })
  totalActions: number;

  /** Count per audit action, e.g. `{"job.create": 3}`. */
  @Column({ type: 'jsonb', default: {} })
  actions: Record<string, number>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
