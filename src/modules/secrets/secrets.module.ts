import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { Secret } from './secret.entity';
import { SecretsKeyProvider } from './secrets-key.provider';
import { SecretsRepository } from './secrets.repository';
import { SecretsService } from './secrets.service';

/** The secrets store: encrypted values, referenced from task kwargs and resolved by the worker. */
@Module({
  imports: [TypeOrmModule.forFeature([Secret]), AuditModule],
  providers: [SecretsRepository, SecretsService, SecretsKeyProvider],
  exports: [SecretsService],
})
export class SecretsModule {}
