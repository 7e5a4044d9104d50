import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Actor } from '../../common/actor';
import { SuperuserRequiredError } from '../../common/errors';
import { IS_PUBLIC, IS_SUPERUSER } from '../../common/access.decorators';
import { JwtStrategy, type Principal } from './jwt.strategy';

/**
 * The global guard (APP_GUARD), default-deny: every route needs a valid bearer token unless
 * it is `@Public()`, and `@Superuser()` routes need a superuser. It turns the token's user
 * into the request's Actor, which `@CurrentActor()` hands to services.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: Principal; actor?: Actor }>();
    const principal = await this.strategy.authenticate(request.headers.authorization);
    request.user = principal;
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
}
