import { Body, Controller, Get, HttpCode, Ip, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { CurrentActor } from '../../common/current-actor.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { ApiAuth, Public } from '../../common/access.decorators';
import { CurrentPrincipal } from './auth.decorators';
import { AuthService } from './auth.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { LoginDto, TokenResponseDto } from './dto/login.dto';
import { MeResponseDto } from './dto/user.dto';
import type { Principal } from './jwt.strategy';
import { LoginThrottlerGuard } from './login-throttler.guard';

const THROTTLED =
  'Too many failed attempts for this username from this address, from this address, or for this username overall; see Retry-After';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'login',
    description:
      'Answers a bearer token (HS256 JWT, lifetime JWT_TTL) to send as `Authorization: Bearer <token>`. Wrong credentials → 401 INVALID_CREDENTIALS; logins are throttled per username and per client address (429). Public; audited, failures too.',
    summary: 'Exchange a username (any case) and password for a bearer token',
  })
  @ApiOkResponse({ type: TokenResponseDto, description: 'The access token' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Wrong username or password' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: THROTTLED })
  login(@Body() dto: LoginDto, @Ip() ip: string): Promise<TokenResponseDto> {
    return this.auth.login(dto.username, dto.password, ip);
  }

  @Post('logout')
  @ApiAuth()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'logout',
    description: 'The token this request carries stops working at once, in every process. Any signed-in user; audited.',
    summary: 'Revoke the token this request is sent with, in every process',
  })
  @ApiNoContentResponse({ description: 'The token no longer works' })
  async logout(@CurrentPrincipal() principal: Principal, @CurrentActor() actor: Actor): Promise<void> {
    await this.auth.logout(principal, actor);
  }

  @Post('password')
  @ApiAuth()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'changePassword',
    summary: 'Change your own password',
    description:
      'Every token issued before the change stops working (the one sent with this request too); the answer carries a fresh token.',
  })
  @ApiOkResponse({ type: TokenResponseDto, description: 'A fresh token; every earlier token of the user is revoked' })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'current_password does not match, or new_password is too weak (the message says why)',
  })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: THROTTLED })
  changePassword(
    @Body() dto: ChangePasswordDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<TokenResponseDto> {
    return this.auth.changePassword(principal, dto.current_password, dto.new_password, actor);
  }

  @Get('me')
  @ApiAuth()
  @ApiOperation({
    operationId: 'getMe',
    description: 'Who the bearer token belongs to: id, username and superuser right. Any signed-in user.',
    summary: 'The authenticated user',
  })
  @ApiOkResponse({ type: MeResponseDto, description: 'The user the token belongs to' })
  me(@CurrentActor() actor: Actor): Promise<MeResponseDto> {
    return this.auth.me(actor);
  }
}
