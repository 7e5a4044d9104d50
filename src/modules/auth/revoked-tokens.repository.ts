import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { RevokedToken } from './revoked-token.entity';

/** SQL for revoked_tokens (logout). The per-request check is in UsersRepository.findTokenHolder. */
@Injectable()
export class RevokedTokensRepository {
  constructor(@InjectRepository(RevokedToken) private readonly tokens: Repository<RevokedToken>) {}

  async revoke(token: Pick<RevokedToken, 'jti' | 'userId' | 'expiresAt'>, tx: EntityManager): Promise<void> {
    await tx.query(
      `INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING`,
      [token.jti, token.userId, token.expiresAt],
    );
  }

  /** An expired token is refused by its `exp` anyway, so its row is no longer needed. */
  async pruneExpired(): Promise<void> {
    await this.tokens.query(`DELETE FROM revoked_tokens WHERE expires_at < now()`);
  }
}
