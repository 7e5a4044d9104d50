import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { User } from './user.entity';
import { TokenHolderCache } from './token-holder-cache';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Users as a domain: accounts, passwords, token versions. The API, the HTTP auth layer and the CLI use it. */
@Module({
  imports: [TypeOrmModule.forFeature([User]), AuditModule],
  providers: [UsersRepository, TokenHolderCache, UsersService],
  exports: [UsersService],
})
export class UsersModule {}
