import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { UnauthorizedError } from '../../../src/common/errors';
import type { JwtSecretService } from '../../../src/modules/auth/jwt-secret.service';
import { JwtStrategy, type JwtPayload } from '../../../src/modules/auth/jwt.strategy';
import { FakeTokenHolders } from '../support/fakes';

const EXP = 1_900_000_000;

describe(JwtStrategy.name, () => {
  let users: FakeTokenHolders;
  let strategy: JwtStrategy;
  let payload: JwtPayload & { exp: number; iat: number };

  beforeEach(() => {
    users = new FakeTokenHolders();
    users.holders.set(7, { id: 7, username: 'alice', isSuperuser: false, isActive: true, tokenVersion: 2 });
    const secrets = { get: () => Promise.resolve('unused-by-validate') } as unknown as JwtSecretService;
    strategy = new JwtStrategy(secrets, users.asUsersService(), new JwtService());
    payload = { sub: 7, username: 'alice', jti: randomUUID(), ver: 2, iat: EXP - 3600, exp: EXP };
  });

  it("resolves a valid token to its user's principal, loaded fresh", async () => {
    users.holders.set(7, { id: 7, username: 'alice', isSuperuser: true, isActive: true, tokenVersion: 2 });
    await expect(strategy.validate(payload)).resolves.toEqual({
      id: 7,
      username: 'alice',
      isSuperuser: true,
      tokenId: payload.jti,
      tokenExpiresAt: new Date(EXP * 1000),
    });
    expect(users.lookups).toEqual([[7, payload.jti]]);
  });

  it('refuses a token without an expiry', async () => {
    const { exp: _exp, ...forever } = payload;
    await expect(strategy.validate(forever)).rejects.toThrow(
      new UnauthorizedError('The token has no expiry (exp); log in again'),
    );
    expect(users.lookups).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a string subject', { sub: '7' }],
    ['a fractional subject', { sub: 7.5 }],
    ['no token id', { jti: undefined }],
    ['a token id that is not a UUID', { jti: 'abc' }],
    ['no token version', { ver: undefined }],
    ['a string token version', { ver: '2' }],
  ])('refuses a token with %s as invalid, before any lookup', async (_what, change) => {
    await expect(strategy.validate({ ...payload, ...change })).rejects.toThrow(
      new UnauthorizedError('The token is invalid'),
    );
    expect(users.lookups).toEqual([]);
  });

  it('refuses the token of a deleted user', async () => {
    users.holders.delete(7);
    await expect(strategy.validate(payload)).rejects.toThrow(
      new UnauthorizedError('The token does not belong to an existing user'),
    );
  });

  it('refuses a token whose username is not the one of its user id', async () => {
    await expect(strategy.validate({ ...payload, username: 'mallory' })).rejects.toThrow(
      new UnauthorizedError('The token does not belong to an existing user'),
    );
  });

  it('refuses a revoked (logged out) token', async () => {
    users.revoked.add(payload.jti);
    await expect(strategy.validate(payload)).rejects.toThrow(
      new UnauthorizedError('The token has been revoked; log in again'),
    );
  });

  it('refuses a token issued before the password was changed (an older token version)', async () => {
    users.holders.set(7, { id: 7, username: 'alice', isSuperuser: false, isActive: true, tokenVersion: 3 });
    await expect(strategy.validate(payload)).rejects.toThrow(
      new UnauthorizedError('The token has been revoked; log in again'),
    );
  });

  it("refuses a deactivated user's token, saying so", async () => {
    users.holders.set(7, { id: 7, username: 'alice', isSuperuser: true, isActive: false, tokenVersion: 2 });
    const error = await strategy.validate(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ errorCode: 'USER_INACTIVE', message: expect.stringContaining('deactivated') });
  });

  it('lets a database failure propagate as it is, never as a 401', async () => {
    users.failure = new Error('connection terminated');
    await expect(strategy.validate(payload)).rejects.toBe(users.failure);
  });
});
