import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const CHANNEL_TYPES = ['webhook', 'slack', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Where alerts go (migration Notifications). The secret is sealed (AES-256-GCM) and never answered. */
@Entity('notification_channels')
export class NotificationChannel {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100, unique: true })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  type: ChannelType;

  /** webhook and slack: where to POST. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  url: string | null;

  /** email: comma-separated addresses. */
  @Column({ name: 'email_to', type: 'varchar', length: 1000, nullable: true })
  emailTo: string | null;

  /** Used by every job that names no channel. */
  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  @Column({ name: 'secret_ciphertext', type: 'bytea', nullable: true })
  secretCiphertext: Buffer | null;

  @Column({ name: 'secret_iv', type: 'bytea', nullable: true })
  secretIv: Buffer | null;

  @Column({ name: 'secret_auth_tag', type: 'bytea', nullable: true })
  secretAuthTag: Buffer | null;

  @Column({ name: 'created_by', type: 'varchar', length: 150, nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
