import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import type { Actor } from '../../common/actor';
import { UnauthorizedError } from '../../common/errors';
import { AppConfig } from '../../config/app-config';
import { AuditService, type AuditEntry } from '../audit/audit.service';
import type { TokenResponseDto } from './dto/login.dto';
import type { MeResponseDto } from './dto/user.dto';
import { JwtSecretService } from './jwt-secret.service';
import type { JwtPayload } from './jwt.strategy';
import { UsersService } from './users.service';

/** Login (every attempt audited) and the current user. */
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
  ) {}

  async login(username: string, password: string, ip: string | undefined): Promise<TokenResponseDto> {
    const { user, known } = await this.users.verifyCredentials(username, password);
    // An unknown name is recorded as `anonymous`: people type passwords into the username field.
    const actor: Actor = { kind: 'user', name: known ? known.username : 'anonymous', userId: known?.id, isSuperuser: false, ip };
    const entry: AuditEntry = { actor, action: user ? 'auth.login' : 'auth.login_failed', entityType: 'user', entityId: known?.id ?? null };
    await this.dataSource.transaction((tx) => this.audit.record(tx, entry));
    if (!user) {
      this.logger.warn(`Failed login for ${known ? JSON.stringify(known.username) : 'an unknown username'} from ${ip ?? 'an unknown address'}`);
      throw new UnauthorizedError('Invalid username or password');
    }
    const payload: JwtPayload = { sub: user.id, username: user.username };
    const ttl = this.config.jwtTtlSeconds;
    const accessToken = await this.jwt.signAsync(payload, { secret: await this.secrets.get(), algorithm: 'HS256', expiresIn: ttl });
    return { access_token: accessToken, token_type: 'bearer', expires_in: ttl };
  }

  async me(actor: Actor): Promise<MeResponseDto> {
    if (actor.userId === undefined) throw new UnauthorizedError();
    const user = await this.users.get(actor.userId);
    return { id: user.id, username: user.username, is_superuser: user.is_superuser };
  }
}
