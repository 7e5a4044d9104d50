import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import type { LoginAttemptsStore } from './login-throttle';
import { RevokedTokensRepository } from './revoked-tokens.repository';

const PRUNE_EVERY_MS = 10 * 60 * 1000;

/** API processes drop revoked-token rows past their expiry and ended login counters (PostgreSQL storage). */
@Injectable()
export class AuthHousekeepingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Auth');
  private timer: NodeJS.Timeout | undefined;
  private pruning: Promise<void> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly revoked: RevokedTokensRepository,
    @InjectThrottlerStorage() private readonly attempts: LoginAttemptsStore & { pruneExpired?: () => Promise<void> },
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.hasRole('api')) return;
    this.timer = setInterval(() => {
      this.pruning ??= this.prune()
        .catch((error: Error) => this.logger.warn(`Pruning revoked tokens and login counters failed: ${error.message}`))
        .finally(() => (this.pruning = undefined));
    }, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  async prune(): Promise<void> {
    await this.revoked.pruneExpired();
    await this.attempts.pruneExpired?.();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.pruning;
  }
}
