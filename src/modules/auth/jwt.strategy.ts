import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey, type KeyObject } from 'node:crypto';
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
const BEARER = /^Bearer +(\S+)$/i;
/** jsonwebtoken's errors: what is wrong with the token itself (anything else, e.g. the key failing to load, is not a 401). */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);
const NO_TOKEN_MESSAGE = 'Authentication required: send Authorization: Bearer <token> (POST /api/v1/auth/login)';

/**
 * Bearer tokens, HS256 only (`none` and every other algorithm are refused), verified by
 * jsonwebtoken with the key of this app's JwtSecretService, then resolved to their user as
 * stored now. One instance per application (not a process-wide registration), so that apps
 * living in one process each judge tokens by their own database and cache.
 */
@Injectable()
export class JwtStrategy {
  /** A KeyObject, made once: given a string, jsonwebtoken tries (and fails) to parse it as a public key on every verification first. */
  private key: Promise<KeyObject> | undefined;

  constructor(
    private readonly secrets: JwtSecretService,
    private readonly users: UsersService,
    /** The auth module's (JwtModule), which also signs the tokens AuthService issues. */
    private readonly jwt: JwtService,
  ) {}

  /** The principal of the request's `Authorization: Bearer` token; 401 for a missing or bad token. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = typeof authorization === 'string' ? BEARER.exec(authorization.trim())?.[1] : undefined;
    if (!token) throw new UnauthorizedError(NO_TOKEN_MESSAGE);
    const key = await this.signingKey();
    let payload: Partial<JwtPayload> & { exp?: unknown };
    try {
      // The key is a KeyObject, which jsonwebtoken takes; @nestjs/jwt's typings only know string | Buffer.
      payload = await this.jwt.verifyAsync(token, { secret: key as unknown as string, algorithms: ['HS256'] });
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      if (!name || !TOKEN_ERRORS.has(name)) throw error;
      throw new UnauthorizedError(
        name === 'TokenExpiredError' ? 'The token has expired; log in again' : 'The token is invalid',
      );
    }
    return this.validate(payload);
  }

  /** Loaded on first use; a failure is thrown (not a 401) and the next request tries again. */
  private signingKey(): Promise<KeyObject> {
    this.key ??= this.secrets.get().then(
      (secret) => createSecretKey(Buffer.from(secret)),
      (error: unknown) => {
        this.key = undefined;
        throw error;
      },
    );
    return this.key;
  }

  /**
   * One query per request (or none, from the token-holder cache): the user and whether the
   * token was revoked. A database error is not caught here: it propagates (503 from the
   * filter), never turning a valid token into a 401.
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
