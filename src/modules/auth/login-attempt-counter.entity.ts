import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One login throttling counter (PostgreSQL storage): shared by every API process. `key` is a
 * hash of the throttler and its tracker (username+address, address, or username).
 */
@Entity('login_attempt_counters')
export class LoginAttemptCounter {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key: string;

  @Column({ type: 'integer' })
  hits: number;

  @Index('idx_login_attempt_counters_window_ends_at')
  @Column({ name: 'window_ends_at', type: 'timestamptz' })
  windowEndsAt: Date;

  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true })
  blockedUntil: Date | null;
}
