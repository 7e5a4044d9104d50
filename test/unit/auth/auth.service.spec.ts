import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../../../src/common/actor';
import { UnauthorizedError } from '../../../src/common/errors';
import { AppConfig } from '../../../src/config/app-config';
import { InvalidCredentialsError } from '../../../src/modules/auth/auth.errors';
import { AuthService } from '../../../src/modules/auth/auth.service';
import type { JwtSecretService } from '../../../src/modules/auth/jwt-secret.service';
import type { JwtPayload, Principal } from '../../../src/modules/auth/jwt.strategy';
import {
  loginThrottleKeys,
  type LoginAttemptsStore,
  type ThrottlerStorageRecord,
} from '../../../src/modules/auth/login-throttle';
import type { RevokedTokensRepository } from '../../../src/modules/auth/revoked-tokens.repository';
import type { User } from '../../../src/modules/auth/user.entity';
import type { UsersService } from '../../../src/modules/auth/users.service';
import { FakeAuditService, FakeDataSource } from '../support/fakes';

const SECRET = 'unit-test-secret-of-at-least-32-characters';
const IP = '203.0.113.9';
const PASSWORD = 'quilt-harbor-pencil-orbit';

const alice = {
  id: 7,
  username: 'alice',
  passwordHash: 'h',
  isSuperuser: false,
  isActive: true,
  tokenVersion: 3,
} as User;

/** Knows one user, alice, with one password. */
class FakeUsers implements Pick<UsersService, 'verifyCredentials' | 'changePassword' | 'get' | 'forgetTokenHolders'> {
  readonly passwordChanges: unknown[][] = [];
  /** Users whose cached token holders this process was told to forget. */
  readonly forgotten: number[] = [];

  forgetTokenHolders(userId: number): void {
    this.forgotten.push(userId);
  }

  async verifyCredentials(username: string, password: string): Promise<{ user: User | null; known: User | null }> {
    const known = username.toLowerCase() === alice.username ? alice : null;
    return { user: known && password === PASSWORD ? known : null, known };
  }

  async changePassword(
    userId: number,
    currentPassword: string,
    newPassword: string,
    actor: Actor,
  ): Promise<{ user: User; tokenVersion: number }> {
    this.passwordChanges.push([userId, currentPassword, newPassword, actor]);
    return { user: alice, tokenVersion: alice.tokenVersion + 1 };
  }

  async get(id: number) {
    return {
      id,
      username: alice.username,
      is_superuser: alice.isSuperuser,
      is_active: true,
      created_at: '2026-01-01T00:00:00.000Z',
    };
  }
}

class FakeAttemptsStore implements LoginAttemptsStore {
  readonly forgiven: string[][] = [];

  increment(): Promise<ThrottlerStorageRecord> {
    throw new Error('AuthService does not count attempts: the guard does');
  }

  async forgive(keys: string[]): Promise<void> {
    this.forgiven.push(keys);
  }
}

class FakeRevokedTokens implements Pick<RevokedTokensRepository, 'revoke'> {
  readonly revoked: { token: unknown; tx: EntityManager }[] = [];

  async revoke(token: { jti: string; userId: number; expiresAt: Date }, tx: EntityManager): Promise<void> {
    this.revoked.push({ token, tx });
  }
}

describe(AuthService.name, () => {
  const jwt = new JwtService();
  let users: FakeUsers;
  let audit: FakeAuditService;
  let dataSource: FakeDataSource;
  let attempts: FakeAttemptsStore;
  let revoked: FakeRevokedTokens;
  let service: AuthService;
  let warnings: jest.SpyInstance;

  beforeEach(() => {
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    users = new FakeUsers();
    audit = new FakeAuditService();
    dataSource = new FakeDataSource();
    attempts = new FakeAttemptsStore();
    revoked = new FakeRevokedTokens();
    service = new AuthService(
      dataSource.asDataSource(),
      users as unknown as UsersService,
      audit.asAuditService(),
      jwt,
      { get: () => Promise.resolve(SECRET) } as unknown as JwtSecretService,
      AppConfig.from({ JWT_TTL: '600' }),
      revoked as unknown as RevokedTokensRepository,
      attempts,
    );
  });

  afterEach(() => warnings.mockRestore());

  function decode(token: string): JwtPayload & { iat: number; exp: number } {
    return jwt.verify(token, { secret: SECRET, algorithms: ['HS256'] });
  }

  describe('login', () => {
    it("issues an HS256 token for the user's current token version", async () => {
      const answer = await service.login('alice', PASSWORD, IP);

      expect(answer).toMatchObject({ token_type: 'bearer', expires_in: 600 });
      const payload = decode(answer.access_token);
      expect(payload).toMatchObject({ sub: 7, username: 'alice', ver: 3 });
      expect(payload.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(payload.exp - payload.iat).toBe(600);
    });

    it('takes back the attempt the guard counted when the login succeeds (any case of the name)', async () => {
      await service.login('ALICE', PASSWORD, IP);
      expect(attempts.forgiven).toEqual([loginThrottleKeys('ALICE', IP)]);
      expect(attempts.forgiven[0]).toEqual(loginThrottleKeys('alice', IP));
    });

    it('lets a failed login use up the budget: nothing is forgiven', async () => {
      const error = await service.login('alice', 'wrong-password', IP).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidCredentialsError);
      expect(error).toMatchObject({
        code: 'UNAUTHORIZED',
        errorCode: 'INVALID_CREDENTIALS',
        message: 'Invalid username or password',
      });
      expect(attempts.forgiven).toEqual([]);
      expect(warnings.mock.calls).toEqual([[`Failed login for "alice" from ${IP}`]]);
    });

    it('audits a success and a failure under the known user', async () => {
      await service.login('alice', PASSWORD, IP);
      await service.login('alice', 'wrong-password', IP).catch(() => undefined);

      expect(audit.recorded.every((r) => r.tx === dataSource.tx)).toBe(true);
      expect(audit.entries).toEqual([
        {
          actor: { kind: 'user', name: 'alice', userId: 7, isSuperuser: false, ip: IP },
          action: 'auth.login',
          entityType: 'user',
          entityId: 7,
        },
        {
          actor: { kind: 'user', name: 'alice', userId: 7, isSuperuser: false, ip: IP },
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: 7,
        },
      ]);
    });

    it('audits an unknown name as "anonymous", never recording what was typed', async () => {
      await expect(service.login(PASSWORD, 'whatever', IP)).rejects.toBeInstanceOf(InvalidCredentialsError);
      expect(audit.entries).toEqual([
        {
          actor: { kind: 'user', name: 'anonymous', userId: undefined, isSuperuser: false, ip: IP },
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: null,
        },
      ]);
      expect(JSON.stringify(audit.entries)).not.toContain(PASSWORD);
      expect(warnings.mock.calls).toEqual([[`Failed login for an unknown username from ${IP}`]]);
      expect(attempts.forgiven).toEqual([]);
    });
  });

  /** alice, signed in: her token's principal and the actor the controller makes of it. */
  const principal: Principal = {
    id: 7,
    username: 'alice',
    isSuperuser: false,
    tokenId: '0b0f8c1e-2f1a-4c55-9d7e-3a1b2c3d4e5f',
    tokenExpiresAt: new Date('2026-06-01T00:00:00Z'),
  };
  const actor: Actor = { kind: 'user', name: 'alice', userId: 7, isSuperuser: false, ip: IP };

  describe('changePassword', () => {
    it('answers with a token of the new version and forgives the counted attempt', async () => {
      const answer = await service.changePassword(principal, PASSWORD, 'new-walrus-cobalt-lantern', actor);

      expect(users.passwordChanges).toEqual([[7, PASSWORD, 'new-walrus-cobalt-lantern', actor]]);
      expect(decode(answer.access_token)).toMatchObject({ sub: 7, username: 'alice', ver: 4 });
      expect(attempts.forgiven).toEqual([loginThrottleKeys('alice', IP)]);
    });
  });

  describe('logout', () => {
    it('revokes the token id until it would have expired, audited in the same transaction', async () => {
      await service.logout(principal, actor);

      expect(revoked.revoked).toEqual([
        { token: { jti: principal.tokenId, userId: 7, expiresAt: principal.tokenExpiresAt }, tx: dataSource.tx },
      ]);
      expect(audit.recorded).toEqual([
        { tx: dataSource.tx, entry: { actor, action: 'auth.logout', entityType: 'user', entityId: 7 } },
      ]);
      // This process stops answering from its cache at once (the others by NOTIFY).
      expect(users.forgotten).toEqual([7]);
    });
  });

  describe('me', () => {
    it('refuses an actor that is not a user', async () => {
      await expect(service.me({ kind: 'cli', name: 'cli:root', isSuperuser: true })).rejects.toBeInstanceOf(
        UnauthorizedError,
      );
    });

    it("answers the actor's user", async () => {
      await expect(service.me({ kind: 'user', name: 'alice', userId: 7, isSuperuser: false })).resolves.toEqual({
        id: 7,
        username: 'alice',
        is_superuser: false,
      });
    });
  });
});
