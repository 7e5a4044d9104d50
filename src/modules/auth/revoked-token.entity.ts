import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A token revoked before it expired (logout), by its `jti`; pruned once `expires_at` has passed. */
@Entity('revoked_tokens')
export class RevokedToken {
  @PrimaryColumn({ type: 'uuid' })
  jti: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @Index('idx_revoked_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
