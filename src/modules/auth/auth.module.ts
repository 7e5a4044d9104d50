import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config';
import { AuditModule } from '../audit/audit.module';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtSecretService } from './jwt-secret.service';
import { JwtStrategy } from './jwt.strategy';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/**
 * Login throttles (applied to the login route only): one per client address and one per
 * username, so guessing one account from many addresses is slowed as well. The counters
 * live in this process's memory.
 */
function loginThrottlers(config: AppConfig): ThrottlerModuleOptions {
  const ttl = config.loginThrottleWindowSeconds * 1000;
  return {
    errorMessage: 'Too many login attempts; wait a minute and try again',
    throttlers: [
      { name: 'login-ip', ttl, blockDuration: ttl, limit: config.loginThrottleIpLimit, getTracker: (req) => (req as Request).ip ?? 'unknown' },
      {
        name: 'login-username',
        ttl,
        blockDuration: ttl,
        limit: config.loginThrottleLimit,
        getTracker: (req) => `username:${String(((req as Request).body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()}`,
      },
    ],
  };
}

@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    PassportModule,
    // The secret is passed per call (JwtSecretService may have to generate it first).
    JwtModule.register({}),
    ThrottlerModule.forRootAsync({ inject: [AppConfig], useFactory: loginThrottlers }),
    AuditModule,
  ],
  controllers: [AuthController, UsersController],
  providers: [
    UsersRepository,
    UsersService,
    AuthService,
    JwtSecretService,
    JwtStrategy,
    AdminBootstrapService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [UsersService, AuthService],
})
export class AuthModule {}
