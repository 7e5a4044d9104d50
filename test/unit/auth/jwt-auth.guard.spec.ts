import type { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../../src/common/actor';
import { SuperuserRequiredError, UnauthorizedError } from '../../../src/common/errors';
import { Public, Superuser } from '../../../src/common/access.decorators';
import { JwtAuthGuard } from '../../../src/modules/auth/jwt-auth.guard';
import type { JwtSecretService } from '../../../src/modules/auth/jwt-secret.service';
import { JwtStrategy, type JwtPayload, type Principal } from '../../../src/modules/auth/jwt.strategy';
import type { TokenHolder } from '../../../src/modules/auth/users.repository';
import { FakeTokenHolders } from '../support/fakes';

// Real decorators on tiny controllers: the guard reads them through a real Reflector.
class ItemsController {
  read(): void {}
  @Superuser()
  change(): void {}
  @Public()
  open(): void {}
}

@Superuser()
class AdminController {
  manage(): void {}
  @Public()
  status(): void {}
}

@Public()
class OpenController {
  ping(): void {}
}

const SECRET = 'unit-test-secret-of-at-least-32-characters';
const signer = new JwtService();

class FakeJwtSecret implements Pick<JwtSecretService, 'get'> {
  loads = 0;
  failure: Error | undefined;

  async get(): Promise<string> {
    this.loads++;
    if (this.failure) throw this.failure;
    return SECRET;
  }
}

function tokenFor(holder: TokenHolder, overrides: Partial<JwtPayload> = {}, secret = SECRET): string {
  const payload: JwtPayload = { sub: holder.id, username: holder.username, jti: randomUUID(), ver: 0, ...overrides };
  return signer.sign(payload, { secret, algorithm: 'HS256', expiresIn: 60 });
}

type TestRequest = { headers: Record<string, string>; ip: string; user?: Principal; actor?: Actor };

function call(controller: Type, handler: () => void, token?: string) {
  const request: TestRequest = {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ip: '198.51.100.4',
  };
  const context = new ExecutionContextHost([request, {}], controller, handler);
  return { context, request };
}

describe(JwtAuthGuard.name, () => {
  const alice: TokenHolder = {
    id: 7,
    username: 'alice',
    isSuperuser: false,
    isActive: true,
    tokenVersion: 0,
    revoked: false,
  };
  const root: TokenHolder = {
    id: 1,
    username: 'root',
    isSuperuser: true,
    isActive: true,
    tokenVersion: 0,
    revoked: false,
  };
  let users: FakeTokenHolders;
  let secrets: FakeJwtSecret;
  let guard: JwtAuthGuard;

  beforeEach(() => {
    users = new FakeTokenHolders();
    users.holders.set(alice.id, alice);
    users.holders.set(root.id, root);
    secrets = new FakeJwtSecret();
    // The token path is real (jsonwebtoken), over a fake user lookup and key.
    guard = new JwtAuthGuard(
      new Reflector(),
      new JwtStrategy(secrets as unknown as JwtSecretService, users.asUsersService(), signer),
    );
  });

  describe('public routes', () => {
    it.each([
      ['a @Public() method', ItemsController, ItemsController.prototype.open],
      ['a @Public() method of a @Superuser() class', AdminController, AdminController.prototype.status],
      ['any method of a @Public() class', OpenController, OpenController.prototype.ping],
    ])('lets %s through without a token', async (_what, controller, handler) => {
      const { context, request } = call(controller, handler);
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(request.actor).toBeUndefined();
    });

    it('does not even verify a token sent to a public route', async () => {
      const { context, request } = call(ItemsController, ItemsController.prototype.open, tokenFor(alice));
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(request.actor).toBeUndefined();
      expect(secrets.loads).toBe(0);
      expect(users.lookups).toEqual([]);
    });

    it('ignores a bad token on a public route', async () => {
      const { context } = call(ItemsController, ItemsController.prototype.open, 'not-a-jwt');
      await expect(guard.canActivate(context)).resolves.toBe(true);
    });
  });

  describe('default deny', () => {
    it('refuses an undecorated route without a token, saying how to authenticate', async () => {
      const { context, request } = call(ItemsController, ItemsController.prototype.read);
      const error = await guard.canActivate(context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error).toMatchObject({
        errorCode: 'UNAUTHORIZED',
        message: 'Authentication required: send Authorization: Bearer <token> (POST /api/v1/auth/login)',
      });
      expect(request.actor).toBeUndefined();
    });

    it('refuses an expired token, telling the caller to log in again', async () => {
      const expired = signer.sign(
        { sub: alice.id, username: alice.username, jti: randomUUID(), ver: 0, exp: Math.floor(Date.now() / 1000) - 5 },
        { secret: SECRET, algorithm: 'HS256' },
      );
      const { context } = call(ItemsController, ItemsController.prototype.read, expired);
      await expect(guard.canActivate(context)).rejects.toThrow(
        new UnauthorizedError('The token has expired; log in again'),
      );
    });

    it.each([
      ['signed with another secret', () => tokenFor(alice, {}, 'another-secret-of-at-least-32-characters!')],
      ['not a JWT', () => 'not-a-jwt'],
      ['unsigned (alg none)', () => unsigned({ sub: alice.id, username: alice.username, jti: randomUUID(), ver: 0 })],
      [
        'signed with HS512',
        () =>
          signer.sign(
            { sub: alice.id, username: alice.username, jti: randomUUID(), ver: 0 },
            { secret: SECRET, algorithm: 'HS512', expiresIn: 60 },
          ),
      ],
    ])('refuses a token %s as invalid, without saying more', async (_what, makeToken) => {
      const { context, request } = call(ItemsController, ItemsController.prototype.read, makeToken());
      const error = await guard.canActivate(context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect((error as Error).message).toBe('The token is invalid');
      expect(request.actor).toBeUndefined();
    });
  });

  describe('authenticated routes', () => {
    it("gives the request the token's user as its Actor", async () => {
      const { context, request } = call(ItemsController, ItemsController.prototype.read, tokenFor(alice));
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(request.actor).toEqual({
        kind: 'user',
        name: 'alice',
        userId: 7,
        isSuperuser: false,
        ip: '198.51.100.4',
      });
      expect(request.user).toMatchObject({ id: 7, username: 'alice', isSuperuser: false });
    });

    it.each([
      ['a @Superuser() method', ItemsController, ItemsController.prototype.change],
      ['a method of a @Superuser() class', AdminController, AdminController.prototype.manage],
    ])('refuses %s to a user who is not a superuser', async (_what, controller, handler) => {
      const { context } = call(controller, handler, tokenFor(alice));
      const error = await guard.canActivate(context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SuperuserRequiredError);
      expect(error).toMatchObject({ code: 'FORBIDDEN', errorCode: 'SUPERUSER_REQUIRED' });
    });

    it.each([
      ['a @Superuser() method', ItemsController, ItemsController.prototype.change],
      ['a method of a @Superuser() class', AdminController, AdminController.prototype.manage],
    ])('lets a superuser through %s', async (_what, controller, handler) => {
      const { context, request } = call(controller, handler, tokenFor(root));
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(request.actor).toMatchObject({ name: 'root', userId: 1, isSuperuser: true });
    });

    it('judges rights by the user as stored now, not as when the token was issued', async () => {
      const token = tokenFor(root);
      users.holders.set(root.id, { ...root, isSuperuser: false });
      const { context } = call(AdminController, AdminController.prototype.manage, token);
      await expect(guard.canActivate(context)).rejects.toBeInstanceOf(SuperuserRequiredError);
    });
  });

  describe('errors from validate() and the key', () => {
    it('passes a domain error from validate() through unchanged (a revoked token)', async () => {
      const jti = randomUUID();
      users.revoked.add(jti);
      const { context } = call(ItemsController, ItemsController.prototype.read, tokenFor(alice, { jti }));
      await expect(guard.canActivate(context)).rejects.toThrow(
        new UnauthorizedError('The token has been revoked; log in again'),
      );
    });

    it('passes a database failure through as the same error, never as a 401', async () => {
      users.failure = new Error('connection terminated');
      const { context } = call(ItemsController, ItemsController.prototype.read, tokenFor(alice));
      await expect(guard.canActivate(context)).rejects.toBe(users.failure);
    });

    it('passes a failure to load the key through (not a 401), and loads it again on the next request', async () => {
      secrets.failure = new Error('jwt secret unreadable');
      const first = call(ItemsController, ItemsController.prototype.read, tokenFor(alice));
      await expect(guard.canActivate(first.context)).rejects.toBe(secrets.failure);
      expect(first.request.actor).toBeUndefined();

      secrets.failure = undefined;
      const second = call(ItemsController, ItemsController.prototype.read, tokenFor(alice));
      await expect(guard.canActivate(second.context)).resolves.toBe(true);
      const third = call(ItemsController, ItemsController.prototype.read, tokenFor(alice));
      await expect(guard.canActivate(third.context)).resolves.toBe(true);
      expect(secrets.loads).toBe(2);
    });
  });

  describe('the Authorization header', () => {
    it.each([
      ['another scheme', (t: string) => `Basic ${t}`],
      ['a bare token', (t: string) => t],
      ['a token followed by more', (t: string) => `Bearer ${t} extra`],
      ['an empty bearer', () => 'Bearer '],
    ])('refuses %s as no token, saying how to authenticate', async (_what, header) => {
      const request: TestRequest = { headers: { authorization: header(tokenFor(alice)) }, ip: '198.51.100.4' };
      const context = new ExecutionContextHost([request, {}], ItemsController, ItemsController.prototype.read);
      await expect(guard.canActivate(context)).rejects.toThrow(
        new UnauthorizedError('Authentication required: send Authorization: Bearer <token> (POST /api/v1/auth/login)'),
      );
      expect(users.lookups).toEqual([]);
    });

    it('takes the scheme in any case', async () => {
      const request: TestRequest = { headers: { authorization: `bearer ${tokenFor(alice)}` }, ip: '198.51.100.4' };
      const context = new ExecutionContextHost([request, {}], ItemsController, ItemsController.prototype.read);
      await expect(guard.canActivate(context)).resolves.toBe(true);
    });
  });
});

function unsigned(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...payload, exp: Math.floor(Date.now() / 1000) + 60 })}.`;
}
