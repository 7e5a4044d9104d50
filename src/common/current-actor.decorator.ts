import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from './actor';

/** The authenticated caller as an Actor (set on the request by the auth guard). */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<Request & { actor?: Actor }>();
  if (request.actor) return request.actor;
  return { kind: 'user', name: 'anonymous', isSuperuser: false, ip: request.ip };
});
