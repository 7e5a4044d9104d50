import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './jwt.strategy';

/** The verified token's principal (user and token id), set on the request by the global guard. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ user: Principal }>().user;
});
