import { Injectable } from '@nestjs/common';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { UnauthorizedError } from '../../common/errors';
import { JwtSecretService } from './jwt-secret.service';
import { UsersService } from './users.service';

export interface JwtPayload {
  sub: number;
  username: string;
}

/** What a verified token resolves to; loaded fresh, so a demoted or deleted user loses rights at once. */
export interface Principal {
  id: number;
  username: string;
  isSuperuser: boolean;
}

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

  async validate(payload: Partial<JwtPayload>): Promise<Principal> {
    const user = Number.isInteger(payload.sub) ? await this.users.findById(payload.sub!) : null;
    if (!user || user.username !== payload.username) throw new UnauthorizedError('The token does not belong to an existing user');
    return { id: user.id, username: user.username, isSuperuser: user.isSuperuser };
  }
}
