import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AuditModule } from '../audit/audit.module';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthHousekeepingService } from './auth-housekeeping.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtSecretService } from './jwt-secret.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginAttemptsRepository } from './login-attempts.repository';
import { PostgresLoginAttemptsStore, RedisLoginAttemptsStore } from './login-attempts.store';
import { loginThrottlerOptions, type LoginAttemptsStore } from './login-throttle';
import { RevokedToken } from './revoked-token.entity';
import { RevokedTokensRepository } from './revoked-tokens.repository';
import { UsersModule } from './users.module';

/** The login throttling counters: in Redis when REDIS_URL is set, else in PostgreSQL. */
function loginAttemptsStore(config: AppConfig, dataSource: DataSource): LoginAttemptsStore {
  if (config.redisUrl) return new RedisLoginAttemptsStore(config.redisUrl, config.queuePrefix);
  return new PostgresLoginAttemptsStore(new LoginAttemptsRepository(dataSource));
}

@Module({
  imports: [
    TypeOrmModule.forFeature([RevokedToken]),
    UsersModule,
    // The secret is passed per call (JwtSecretService may have to generate it first).
    JwtModule.register({}),
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, DataSource],
      useFactory: (config: AppConfig, dataSource: DataSource) =>
        loginThrottlerOptions(config, loginAttemptsStore(config, dataSource)),
    }),
    AuditModule,
  ],
  controllers: [AuthController],
  providers: [
    RevokedTokensRepository,
    AuthHousekeepingService,
    AuthService,
    JwtSecretService,
    JwtStrategy,
    AdminBootstrapService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
