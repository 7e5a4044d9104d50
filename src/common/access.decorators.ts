// Who may call a route: metadata the global guard (auth module) reads, and its Swagger face.
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';
import { SUPERUSER_REQUIRED_EXAMPLE, UNAUTHORIZED_EXAMPLE } from './openapi-examples';

export const IS_PUBLIC = 'auth:public';
export const IS_SUPERUSER = 'auth:superuser';
/** The security scheme name registered in app.setup.ts (`addBearerAuth` default). */
export const BEARER = 'bearer';

/** Open to anyone: no token needed (the global guard denies everything else). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Needs a superuser: any other authenticated user gets 403. */
export const Superuser = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(IS_SUPERUSER, true),
    ApiExtension('x-superuser', true),
    ApiForbiddenResponse({
      type: ErrorResponseDto,
      description: 'The caller is not a superuser',
      example: SUPERUSER_REQUIRED_EXAMPLE,
    }),
  );

/** Swagger: these routes need a bearer token and may answer 401. Put it on every non-public controller. */
export const ApiAuth = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    ApiBearerAuth(BEARER),
    ApiUnauthorizedResponse({
      type: ErrorResponseDto,
      description: 'Missing, invalid, expired or revoked token',
      example: UNAUTHORIZED_EXAMPLE,
    }),
  );
