import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectThrottlerStorage } from '@nestjs/throttler';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Actor } from '../../common/actor';
import { UnauthorizedError } from '../../common/errors';
import { AppConfig } from '../../config/app-config';
import { AuditService, type AuditEntry } from '../audit/audit.service';
import type { TokenResponseDto } from './dto/login.dto';
import type { MeResponseDto } from './dto/user.dto';
import { JwtSecretService } from './jwt-secret.service';
import type { JwtPayload, Principal } from './jwt.strategy';
import { loginThrottleKeys, type LoginAttemptsStore } from './login-throttle';
import { RevokedTokensRepository } from './revoked-tokens.repository';
import { UsersService } from './users.service';
import { InvalidCredentialsError, UserInactiveError } from './auth.errors';

/** Login (every attempt audited), logout, password change, and the current user. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly jwt: JwtService,
    private readonly secrets: JwtSecretService,
    private readonly config: AppConfig,
    private readonly revoked: RevokedTokensRepository,
    @InjectThrottlerStorage() private readonly attempts: LoginAttemptsStore,
  ) {}

  async login(username: string, password: string, ip: string | undefined): Promise<TokenResponseDto> {
    const verified = await this.users.verifyCredentials(username, password);
    const { known } = verified;
    // A deactivated user with the right password is told so (and it counts as a failure).
    const inactive = verified.user !== null && !verified.user.isActive;
    const user = inactive ? null : verified.user;
    // An unknown name is recorded as `anonymous`: people type passwords into the username field.
    const actor: Actor = {
      kind: 'user',
      name: known ? known.username : 'anonymous',
      userId: known?.id,
      isSuperuser: false,
      ip,
    };
    const entry: AuditEntry = {
      actor,
      action: user ? 'auth.login' : 'auth.login_failed',
      entityType: 'user',
      entityId: known?.id ?? null,
    };
    await this.dataSource.transaction((tx) => this.audit.record(tx, entry));
    if (inactive) {
      this.logger.warn(
        `Login of deactivated user ${JSON.stringify(known!.username)} from ${ip ?? 'an unknown address'}`,
      );
      throw new UserInactiveError(known!.username);
    }
    if (!user) {
      this.logger.warn(
        `Failed login for ${known ? JSON.stringify(known.username) : 'an unknown username'} from ${ip ?? 'an unknown address'}`,
      );
      throw new InvalidCredentialsError();
    }
    // Only failures use the throttling budget: the attempt counted on the way in is taken back.
    await this.attempts.forgive(loginThrottleKeys(username, ip));
    return this.issue(user.id, user.username, user.tokenVersion);
  }

  /** Revokes the token the request came with, in every process (until it would have expired). */
  async logout(principal: Principal, actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.revoked.revoke(
        { jti: principal.tokenId, userId: principal.id, expiresAt: principal.tokenExpiresAt },
        tx,
      );
      await this.audit.record(tx, { actor, action: 'auth.logout', entityType: 'user', entityId: principal.id });
    });
    this.users.forgetTokenHolders(principal.id);
  }

  /**
   * Changes the caller's own password. Every token issued before (the one used for this
   * request included) stops working; the answer carries a fresh token.
   */
  async changePassword(
    principal: Principal,
    currentPassword: string,
    newPassword: string,
    actor: Actor,
  ): Promise<TokenResponseDto> {
    const { user, tokenVersion } = await this.users.changePassword(principal.id, currentPassword, newPassword, actor);
    await this.attempts.forgive(loginThrottleKeys(user.username, actor.ip));
    return this.issue(user.id, user.username, tokenVersion);
  }

  async me(actor: Actor): Promise<MeResponseDto> {
    if (actor.userId === undefined) throw new UnauthorizedError();
    const user = await this.users.get(actor.userId);
    return { id: user.id, username: user.username, is_superuser: user.is_superuser };
  }

  private async issue(id: number, username: string, version: number): Promise<TokenResponseDto> {
    const payload: JwtPayload = { sub: id, username, jti: randomUUID(), ver: version };
    const ttl = this.config.jwtTtlSeconds;
    const accessToken = await this.jwt.signAsync(payload, {
      secret: await this.secrets.get(),
      algorithm: 'HS256',
      expiresIn: ttl,
    });
    return { access_token: accessToken, token_type: 'bearer', expires_in: ttl };
  }
}
