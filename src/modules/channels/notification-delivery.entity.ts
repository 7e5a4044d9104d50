import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { NotificationChannel } from './notification-channel.entity';

export const NOTIFY_EVENTS = ['run.failed', 'run.timed_out', 'run.succeeded', 'job.recovered', 'job.overdue'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
/** What a channel's test message is sent as. */
export const TEST_EVENT = 'channel.test';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One message to one channel (migration Notifications): recorded, then sent by a worker through
 * the queue with retries. (channel, event, dedup_key) is unique: the same occurrence (a run's
 * outcome, an overdue fire time) is recorded once however many processes see it.
 */
@Entity('notification_deliveries')
@Unique(['channelId', 'event', 'dedupKey'])
@Index(['channelId', 'id'])
export class NotificationDelivery {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'channel_id', type: 'integer' })
  channelId: number;

  @ManyToOne(() => NotificationChannel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id' })
  channel?: NotificationChannel;

  @Column({ type: 'varchar', length: 32 })
  event: string;

  @Column({ name: 'dedup_key', type: 'varchar', length: 100 })
  dedupKey: string;

  @Column({ name: 'job_id', type: 'integer', nullable: true })
  jobId: number | null;

  @Column({ name: 'run_id', type: 'integer', nullable: true })
  runId: number | null;

  /** The message body (webhook JSON), exactly as sent. */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
