import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Usernames are unique regardless of case: a unique index on lower(username) (TypeORM cannot declare it). */
@Entity('users')
@Index('users_username_lower_key', { synchronize: false })
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100, unique: true })
  username: string;

  /** argon2id hash; never leaves UsersService. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ name: 'is_superuser', type: 'boolean', default: false })
  isSuperuser: boolean;

  /** A deactivated user cannot log in, and its tokens are refused (checked on every request). */
  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  /** Tokens carry it (`ver`); raising it (password change) revokes every token issued before. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
