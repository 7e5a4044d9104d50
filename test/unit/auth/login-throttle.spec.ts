import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { ThrottlerException } from '@nestjs/throttler';
import { AppConfig } from '../../../src/config/app-config';
import type { Principal } from '../../../src/modules/auth/jwt.strategy';
import {
  LOGIN_THROTTLERS,
  loginThrottleKey,
  loginThrottleKeys,
  loginThrottlerOptions,
  loginTrackers,
  type LoginAttemptsStore,
  type LoginThrottlerName,
  type ThrottlerStorageRecord,
} from '../../../src/modules/auth/login-throttle';
import { LoginThrottlerGuard } from '../../../src/modules/auth/login-throttler.guard';

describe('login throttle keys', () => {
  it('tracks one name from one address, the address, and the name (any case)', () => {
    expect(loginTrackers('Alice', '203.0.113.9')).toEqual({
      'login-user-address': 'alice\u0000203.0.113.9',
      'login-address': '203.0.113.9',
      'login-username': 'alice',
    });
  });

  it('counts IPv6 addresses of one /64 as one address', () => {
    const a = loginTrackers('alice', '2001:db8:1:2::1');
    const sameNetwork = loginTrackers('alice', '2001:db8:1:2:ffff:ffff:ffff:ffff');
    const otherNetwork = loginTrackers('alice', '2001:db8:1:3::1');
    expect(sameNetwork).toEqual(a);
    expect(otherNetwork['login-address']).not.toBe(a['login-address']);
  });

  it('counts requests without an address under one "unknown" address', () => {
    expect(loginTrackers('alice', undefined)['login-address']).toBe('unknown');
  });

  it('bounds a huge username to its first 200 characters', () => {
    const base = 'a'.repeat(200);
    expect(loginTrackers(`${base}x`, '203.0.113.9')).toEqual(loginTrackers(`${base}y`, '203.0.113.9'));
  });

  it('makes three distinct fixed-size keys, the same whatever the case of the name', () => {
    const keys = loginThrottleKeys('Alice', '203.0.113.9');
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(loginThrottleKeys('ALICE', '203.0.113.9')).toEqual(keys);
  });

  it('keeps the username key when the address changes, and changes the other two', () => {
    const [pair, address, name] = loginThrottleKeys('alice', '203.0.113.9');
    const [pair2, address2, name2] = loginThrottleKeys('alice', '198.51.100.1');
    expect(name2).toBe(name);
    expect(pair2).not.toBe(pair);
    expect(address2).not.toBe(address);
  });

  it('keys the same tracker apart per throttler', () => {
    expect(loginThrottleKey('login-address', 'x')).not.toBe(loginThrottleKey('login-username', 'x'));
  });
});

type Increment = { key: string; ttl: number; limit: number; blockDuration: number; throttler: string };

/** Answers "blocked" for the throttlers told to; records what was counted and forgiven. */
class ScriptedAttemptsStore implements LoginAttemptsStore {
  readonly increments: Increment[] = [];
  readonly forgiven: string[][] = [];
  readonly blocked = new Map<LoginThrottlerName, number>();

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttler: string,
  ): Promise<ThrottlerStorageRecord> {
    this.increments.push({ key, ttl, limit, blockDuration, throttler });
    const blockSeconds = this.blocked.get(throttler as LoginThrottlerName);
    return blockSeconds === undefined
      ? { totalHits: 1, timeToExpire: ttl / 1000, isBlocked: false, timeToBlockExpire: 0 }
      : { totalHits: limit + 1, timeToExpire: 0, isBlocked: true, timeToBlockExpire: blockSeconds };
  }

  async forgive(keys: string[]): Promise<void> {
    this.forgiven.push(keys);
  }
}

class AuthRoutes {
  login(): void {}
  changePassword(): void {}
}

describe(LoginThrottlerGuard.name, () => {
  const config = AppConfig.from({
    LOGIN_THROTTLE_LIMIT: '3',
    LOGIN_THROTTLE_IP_LIMIT: '20',
    LOGIN_THROTTLE_USERNAME_LIMIT: '50',
    LOGIN_THROTTLE_WINDOW_SECONDS: '90',
  });
  let store: ScriptedAttemptsStore;
  let guard: LoginThrottlerGuard;

  beforeEach(async () => {
    store = new ScriptedAttemptsStore();
    guard = new LoginThrottlerGuard(loginThrottlerOptions(config, store), store, new Reflector());
    await guard.onModuleInit();
  });

  function attempt(request: { body?: unknown; user?: Partial<Principal> }, handler = AuthRoutes.prototype.login) {
    const headers: Record<string, unknown> = {};
    const response = {
      header: (name: string, value: unknown) => (headers[name] = value),
      setHeader: (name: string, value: unknown) => (headers[name] = value),
    };
    const req = { ip: '203.0.113.9', headers: {}, ...request };
    const context = new ExecutionContextHost([req, response], AuthRoutes, handler);
    return { run: () => guard.canActivate(context), headers };
  }

  it('counts an attempt under the pair, the address and the name, with their limits and the window', async () => {
    await expect(attempt({ body: { username: 'Alice' } }).run()).resolves.toBe(true);

    const keys = loginThrottleKeys('alice', '203.0.113.9');
    expect(store.increments).toEqual([
      { key: keys[0], ttl: 90_000, limit: 3, blockDuration: 90_000, throttler: 'login-user-address' },
      { key: keys[1], ttl: 90_000, limit: 20, blockDuration: 90_000, throttler: 'login-address' },
      { key: keys[2], ttl: 90_000, limit: 50, blockDuration: 90_000, throttler: 'login-username' },
    ]);
    expect(store.increments.map((i) => i.throttler)).toEqual([...LOGIN_THROTTLERS]);
  });

  it('answers 429 with Retry-After once the pair is blocked, and counts nothing further', async () => {
    store.blocked.set('login-user-address', 42);
    const { run, headers } = attempt({ body: { username: 'alice' } });

    const error = await run().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottlerException);
    expect((error as ThrottlerException).getStatus()).toBe(429);
    expect((error as ThrottlerException).message).toBe('Too many login attempts; wait a minute and try again');
    expect(headers['Retry-After']).toBe(42);
    // The attacker's further guesses no longer use up the username's ceiling.
    expect(store.increments.map((i) => i.throttler)).toEqual(['login-user-address']);
  });

  it('blocks on the address ceiling before counting against the name', async () => {
    store.blocked.set('login-address', 30);
    const { run, headers } = attempt({ body: { username: 'alice' } });
    await expect(run()).rejects.toBeInstanceOf(ThrottlerException);
    expect(headers['Retry-After']).toBe(30);
    expect(store.increments.map((i) => i.throttler)).toEqual(['login-user-address', 'login-address']);
  });

  it('blocks on the name ceiling too', async () => {
    store.blocked.set('login-username', 5);
    await expect(attempt({ body: { username: 'alice' } }).run()).rejects.toBeInstanceOf(ThrottlerException);
  });

  it('never tells a client to retry in 0 seconds', async () => {
    store.blocked.set('login-user-address', 0);
    const { run, headers } = attempt({ body: { username: 'alice' } });
    await expect(run()).rejects.toBeInstanceOf(ThrottlerException);
    expect(headers['Retry-After']).toBe(1);
  });

  it("counts a password change under the signed-in user's name, not a name in the body", async () => {
    await attempt(
      { user: { username: 'alice' }, body: { username: 'mallory' } },
      AuthRoutes.prototype.changePassword,
    ).run();
    expect(store.increments.map((i) => i.key)).toEqual(loginThrottleKeys('alice', '203.0.113.9'));
  });

  it('counts a body without a string username under the empty name', async () => {
    await attempt({ body: { username: 42 } }).run();
    expect(store.increments.map((i) => i.key)).toEqual(loginThrottleKeys('', '203.0.113.9'));
  });
});
