import { Injectable } from '@nestjs/common';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { UnauthorizedError } from '../../common/errors';
import { UserInactiveError } from './auth.errors';
import { JwtSecretService } from './jwt-secret.service';
import { UsersService } from './users.service';

/** What our tokens carry, besides `iat` and `exp` (always set: a token without `exp` is refused). */
export interface JwtPayload {
  sub: number;
  username: string;
  /** Token id: what logout revokes. */
  jti: string;
  /** The user's token_version when issued: a password change raises it, revoking older tokens. */
  ver: number;
}

/** What a verified token resolves to; loaded fresh, so a demoted, deactivated or deleted user loses rights at once. */
export interface Principal {
  id: number;
  username: string;
  isSuperuser: boolean;
  tokenId: string;
  tokenExpiresAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bearer tokens, HS256 only: `none` and every other algorithm are refused by passport-jwt. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    secrets: JwtSecretService,
    private readonly users: UsersService,
  ) {
    let key: Promise<KeyObject> | undefined;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['HS256'],
      ignoreExpiration: false,
      // A KeyObject, made once: given a string, jsonwebtoken tries (and fails) to parse it as
      // a public key on every verification before treating it as a secret.
      // passport-jwt hands the key to jsonwebtoken untouched; its typings only know string | Buffer.
      secretOrKeyProvider: (_request: unknown, _token: unknown, done: (err: unknown, secret?: string) => void) => {
        key ??= secrets.get().then((secret) => createSecretKey(Buffer.from(secret)));
        key.then(
          (secret) => done(null, secret as unknown as string),
          (error: unknown) => {
            key = undefined;
            done(error);
          },
        );
      },
    });
  }

  /**
   * One query per request: the user and whether the token was revoked. A database error is not
   * caught here: it propagates (503 from the filter), never turning a valid token into a 401.
   */
  async validate(payload: Partial<JwtPayload> & { exp?: unknown }): Promise<Principal> {
    // jsonwebtoken checks `exp` only when present: a signed token without one would live forever.
    if (typeof payload.exp !== 'number') throw new UnauthorizedError('The token has no expiry (exp); log in again');
    const { sub, jti, ver } = payload;
    if (!Number.isInteger(sub) || typeof jti !== 'string' || !UUID.test(jti) || !Number.isInteger(ver))
      throw new UnauthorizedError('The token is invalid');
    const holder = await this.users.findTokenHolder(sub!, jti);
    if (!holder || holder.username !== payload.username)
      throw new UnauthorizedError('The token does not belong to an existing user');
    if (!holder.isActive) throw new UserInactiveError(holder.username);
    if (holder.revoked || holder.tokenVersion !== ver)
      throw new UnauthorizedError('The token has been revoked; log in again');
    return {
      id: holder.id,
      username: holder.username,
      isSuperuser: holder.isSuperuser,
      tokenId: jti,
      tokenExpiresAt: new Date(payload.exp * 1000),
    };
  }
}
