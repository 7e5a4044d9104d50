import { Injectable, Logger } from '@nestjs/common';
import { CHANNEL_USERS_CHANGED, PgNotifier } from '../../database/pg-notifier.service';
import { UsersRepository, type TokenHolder } from './users.repository';

/** A cached answer is re-read after this long even without a notification (a backstop, not the mechanism). */
const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * The token's user and revocation state, per (user, token id), cached in this process and
 * dropped everywhere at once: every change to a user or its tokens (delete, demote, deactivate,
 * new password, logout; through the service or straight in SQL) sends NOTIFY users_changed on
 * commit (a trigger: migration UsersChangedNotify), and every process drops that user's
 * entries when it arrives. While the LISTEN connection is down (notifications could
 * be missed) nothing is cached: each request reads the database, as without a cache; when it
 * is back, everything cached before is dropped. A read that overlaps a notification is not
 * cached (it may have read the state from before the change).
 */
@Injectable()
export class TokenHolderCache {
  private readonly logger = new Logger(TokenHolderCache.name);
  private readonly entries = new Map<string, { holder: TokenHolder; at: number }>();
  /** Raised by every notification and connection change: a read that saw it change is not cached. */
  private generation = 0;
  private listening: Promise<boolean> | undefined;

  constructor(
    private readonly notifier: PgNotifier,
    private readonly users: UsersRepository,
  ) {}

  async get(userId: number, jti: string): Promise<TokenHolder | null> {
    if (!(await this.listen())) return this.users.findTokenHolder(userId, jti);
    const key = `${userId}:${jti}`;
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.holder;
    const generation = this.generation;
    const holder = await this.users.findTokenHolder(userId, jti);
    if (holder && generation === this.generation && this.notifier.connected) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { holder, at: Date.now() });
    }
    return holder;
  }

  /** Subscribes once (the first authenticated request); false while that fails or the connection is down. */
  private async listen(): Promise<boolean> {
    this.listening ??= this.notifier
      .subscribe(CHANNEL_USERS_CHANGED, (payload) => this.dropUser(payload))
      .then(
        () => {
          this.notifier.watchConnection(() => this.dropAll());
          return true;
        },
        (error: Error) => {
          this.logger.warn(`Not caching token holders (LISTEN failed: ${error.message})`);
          this.listening = undefined;
          return false;
        },
      );
    return (await this.listening) && this.notifier.connected;
  }

  /**
   * Drops what this process cached of the user, at once: called by the process that made the
   * change, after its commit (the other processes learn of it by NOTIFY; this one must not
   * answer from its cache in the moment before its own notification arrives).
   */
  forgetUser(userId: number): void {
    this.dropUser(String(userId));
  }

  private dropUser(payload: string): void {
    this.generation++;
    if (!/^\d+$/.test(payload)) return this.dropAll();
    const prefix = `${payload}:`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  private dropAll(): void {
    this.generation++;
    this.entries.clear();
  }
}
