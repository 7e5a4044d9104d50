import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ThrottlerStorageRecord } from './login-throttle';

/** Another window starts when the last one ended or a block has run out. */
const FRESH = `(c.window_ends_at <= now() OR c.blocked_until IS NOT NULL)`;
const BLOCKED = `(c.blocked_until > now())`;
const TTL = `make_interval(secs => $2::float8 / 1000)`;
const BLOCK = `make_interval(secs => $4::float8 / 1000)`;

/** SQL for login_attempt_counters: one atomic upsert per attempt, so every process shares the counts. */
@Injectable()
export class LoginAttemptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async increment(key: string, ttlMs: number, limit: number, blockMs: number): Promise<ThrottlerStorageRecord> {
    const [row] = await this.dataSource.query<{ hits: number; window_seconds: number; block_seconds: number }[]>(
      `INSERT INTO login_attempt_counters AS c (key, hits, window_ends_at, blocked_until)
       VALUES ($1, 1, now() + ${TTL}, CASE WHEN 1 > $3 THEN now() + ${BLOCK} END)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN ${BLOCKED} THEN c.hits WHEN ${FRESH} THEN 1 ELSE c.hits + 1 END,
         window_ends_at = CASE WHEN ${BLOCKED} THEN c.window_ends_at WHEN ${FRESH} THEN now() + ${TTL} ELSE c.window_ends_at END,
         blocked_until = CASE WHEN ${BLOCKED} THEN c.blocked_until
                              WHEN (CASE WHEN ${FRESH} THEN 1 ELSE c.hits + 1 END) > $3 THEN now() + ${BLOCK} END
       RETURNING hits,
         greatest(0, ceil(extract(epoch FROM window_ends_at - now())))::int AS window_seconds,
         CASE WHEN blocked_until > now() THEN ceil(extract(epoch FROM blocked_until - now()))::int ELSE 0 END AS block_seconds`,
      [key, ttlMs, limit, blockMs],
    );
    return {
      totalHits: row.hits,
      timeToExpire: row.window_seconds,
      isBlocked: row.block_seconds > 0,
      timeToBlockExpire: row.block_seconds,
    };
  }

  async forgive(keys: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE login_attempt_counters SET hits = hits - 1
        WHERE key = ANY($1) AND hits > 0 AND window_ends_at > now() AND blocked_until IS NULL`,
      [keys],
    );
  }

  async pruneExpired(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM login_attempt_counters WHERE window_ends_at < now() AND (blocked_until IS NULL OR blocked_until < now())`,
    );
  }
}
