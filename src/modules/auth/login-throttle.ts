import { normalizeIp, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { AppConfig } from '../../config/app-config';
import type { Principal } from './jwt.strategy';

/**
 * Login throttling keys. An attempt is counted under three keys; any one over its limit
 * answers 429 until the window ends:
 * - `login-user-address`: one username from one address (tight), so an attacker's guesses
 *   from their address never lock the user out of theirs;
 * - `login-address`: one address, any usernames (spraying one password over many names);
 * - `login-username`: one username from every address together (a wide ceiling against
 *   guessing from many addresses).
 * The order matters: once the pair is blocked, the attacker's further attempts stop there and
 * no longer count against the username's ceiling. A successful login is forgiven (see
 * LoginAttemptsStore.forgive), so only failures use the budget.
 */
export const LOGIN_THROTTLERS = ['login-user-address', 'login-address', 'login-username'] as const;
export type LoginThrottlerName = (typeof LOGIN_THROTTLERS)[number];

export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** The storage behind the throttler (PostgreSQL or Redis), shared by every API process. */
export interface LoginAttemptsStore extends ThrottlerStorage {
  /** Takes back one attempt under each key (a login that succeeded). */
  forgive(keys: string[]): Promise<void>;
}

/** Usernames are matched regardless of case; addresses as the throttler does (IPv6 by /64). */
export function loginTrackers(username: string, ip: string | undefined): Record<LoginThrottlerName, string> {
  const name = username.slice(0, 200).toLowerCase();
  const address = ip ? normalizeIp(ip) : 'unknown';
  return { 'login-user-address': `${name}\u0000${address}`, 'login-address': address, 'login-username': name };
}

/** Fixed-size, the same in every process and for every route that counts attempts. */
export function loginThrottleKey(name: string, tracker: string): string {
  return createHash('sha256').update(`${name}\u0000${tracker}`).digest('hex');
}

export function loginThrottleKeys(username: string, ip: string | undefined): string[] {
  const trackers = loginTrackers(username, ip);
  return LOGIN_THROTTLERS.map((name) => loginThrottleKey(name, trackers[name]));
}

/** The username an attempt is for: the signed-in user's (password change) or the login body's. */
function attemptedUsername(req: Request): string {
  const principal = (req as { user?: Principal }).user;
  if (principal?.username) return principal.username;
  const value = (req.body as { username?: unknown } | undefined)?.username;
  return typeof value === 'string' ? value : '';
}

export function loginThrottlerOptions(config: AppConfig, storage: LoginAttemptsStore): ThrottlerModuleOptions {
  const ttl = config.loginThrottleWindowSeconds * 1000;
  const limits: Record<LoginThrottlerName, number> = {
    'login-user-address': config.loginThrottleLimit,
    'login-address': config.loginThrottleIpLimit,
    'login-username': config.loginThrottleUsernameLimit,
  };
  return {
    errorMessage: 'Too many login attempts; wait a minute and try again',
    storage,
    throttlers: LOGIN_THROTTLERS.map((name) => ({
      name,
      ttl,
      blockDuration: ttl,
      limit: limits[name],
      getTracker: (req: Record<string, unknown>) =>
        loginTrackers(attemptedUsername(req as unknown as Request), (req as unknown as Request).ip)[name],
      generateKey: (_context: unknown, tracker: string, throttler: string) => loginThrottleKey(throttler, tracker),
    })),
  };
}
