import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import IORedis from 'ioredis';
import { DomainError } from '../../common/errors';
import type { LoginAttemptsRepository } from './login-attempts.repository';
import type { LoginAttemptsStore, ThrottlerStorageRecord } from './login-throttle';

/** The default: counters in PostgreSQL (login_attempt_counters), so every process on the database shares them. */
export class PostgresLoginAttemptsStore implements LoginAttemptsStore {
  constructor(private readonly attempts: LoginAttemptsRepository) {}

  increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    return this.attempts.increment(key, ttl, limit, blockDuration);
  }

  forgive(keys: string[]): Promise<void> {
    return this.attempts.forgive(keys);
  }

  pruneExpired(): Promise<void> {
    return this.attempts.pruneExpired();
  }
}

/** KEYS: counter, block marker; ARGV: window ms, limit, block ms. Returns hits, window ms left, block ms left. */
const INCREMENT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {tonumber(ARGV[2]) + 1, 0, blocked} end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return {hits, left, tonumber(ARGV[3])}
end
return {hits, left, 0}`;

/** KEYS: pairs of counter, block marker. A counter is lowered (keeping its expiry) unless blocked. */
const FORGIVE = `
for i = 1, #KEYS, 2 do
  local hits = tonumber(redis.call('GET', KEYS[i]))
  if hits and hits > 0 and redis.call('EXISTS', KEYS[i + 1]) == 0 then redis.call('DECR', KEYS[i]) end
end
return 0`;

/** Redis (holding the login counters) cannot be reached: login answers 503, never 500 or an unthrottled attempt. */
export class LoginThrottleUnavailableError extends DomainError {
  override readonly errorCode = 'LOGIN_THROTTLE_UNAVAILABLE';
  constructor(cause: unknown) {
    super(
      'UNAVAILABLE',
      'Login is unavailable right now (its attempt counters in Redis cannot be reached); retry in a few seconds',
    );
    this.cause = cause;
  }
}

/** With REDIS_URL: counters in Redis (Lua scripts, atomic), under the service's key prefix. */
export class RedisLoginAttemptsStore implements LoginAttemptsStore, OnApplicationShutdown {
  private readonly logger = new Logger('LoginThrottle');
  private readonly redis: IORedis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    // Lazy: processes without the api role never log anyone in, so they never connect.
    this.redis = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.redis.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const [counter, marker] = this.keys(key);
    const [hits, left, blocked] = (await this.redis
      .eval(INCREMENT, 2, counter, marker, ttl, limit, blockDuration)
      .catch((error: unknown) => {
        throw new LoginThrottleUnavailableError(error);
      })) as number[];
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(Math.max(0, left) / 1000),
      isBlocked: blocked > 0,
      timeToBlockExpire: Math.ceil(blocked / 1000),
    };
  }

  async forgive(keys: string[]): Promise<void> {
    const all = keys.flatMap((key) => this.keys(key));
    await this.redis.eval(FORGIVE, all.length, ...all).catch((error: unknown) => {
      throw new LoginThrottleUnavailableError(error);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'wait' && this.redis.status !== 'end') await this.redis.quit().catch(() => undefined);
  }

  /** A hash tag keeps a counter and its block marker in one slot (Redis Cluster). */
  private keys(key: string): [string, string] {
    const base = `${this.prefix}:login-throttle:{${key}}`;
    return [base, `${base}:blocked`];
  }
}
