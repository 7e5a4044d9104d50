import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import type { Actor } from '../../common/actor';
import { SuperuserRequiredError, UnauthorizedError } from '../../common/errors';
import { IS_PUBLIC, IS_SUPERUSER } from '../../common/access.decorators';
import type { Principal } from './jwt.strategy';

/**
 * The global guard (APP_GUARD), default-deny: every route needs a valid bearer token unless
 * it is `@Public()`, and `@Superuser()` routes need a superuser. It turns the token's user
 * into the request's Actor, which `@CurrentActor()` hands to services.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await (super.canActivate(context) as Promise<boolean>);
    const request = context.switchToHttp().getRequest<Request & { user: Principal; actor?: Actor }>();
    const principal = request.user;
    request.actor = {
      kind: 'user',
      name: principal.username,
      userId: principal.id,
      isSuperuser: principal.isSuperuser,
      ip: request.ip,
    };
    if (this.reflector.getAllAndOverride<boolean>(IS_SUPERUSER, targets) && !principal.isSuperuser)
      throw new SuperuserRequiredError();
    return true;
  }

  override handleRequest<T>(error: Error | null, user: T, info: unknown): T {
    // `error` is what validate() threw: a domain error, or the database being away (503), never
    // a 401. passport-jwt reports a bad token as `info`, and also the key provider's failure
    // (loading the signing key): only the token's own errors are 401s.
    if (error) throw error;
    if (!user && info instanceof Error && !TOKEN_ERRORS.has(info.name) && info.message !== NO_TOKEN) throw info;
    if (!user) throw new UnauthorizedError(describe(info));
    return user;
  }
}

/** jsonwebtoken's errors: what is wrong with the token itself. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);
const NO_TOKEN = 'No auth token';

/** A reason that helps the caller without helping an attacker. */
function describe(info: unknown): string {
  const name = (info as { name?: string } | undefined)?.name;
  const message = (info as { message?: string } | undefined)?.message ?? '';
  if (name === 'TokenExpiredError') return 'The token has expired; log in again';
  if (message === NO_TOKEN)
    return 'Authentication required: send Authorization: Bearer <token> (POST /api/v1/auth/login)';
  return 'The token is invalid';
}
