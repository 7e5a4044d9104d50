import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CreateBackupTask } from './handlers/create-backup.task';
import { DocumentCleanupTask } from './handlers/document-cleanup.task';
import { HttpRequestTask } from './handlers/http-request.task';
import { McpServerHealthCheckTask } from './handlers/mcp-server-health-check.task';
import { SystemCleanupTask } from './handlers/system-cleanup.task';
import { SystemHealthCheckTask } from './handlers/system-health-check.task';
import { UserActivityDigestTask } from './handlers/user-activity-digest.task';
import { TaskRegistry } from './task-registry.service';
import { UserActivityDigest } from './user-activity-digest.entity';
import { UserActivityDigestsRepository } from './user-activity-digests.repository';

const HANDLERS = [
  HttpRequestTask,
  SystemHealthCheckTask,
  DocumentCleanupTask,
  SystemCleanupTask,
  McpServerHealthCheckTask,
  CreateBackupTask,
  UserActivityDigestTask,
];

/**
 * The task registry, which finds every @TaskHandler in the application at start-up, and the
 * built-in handlers that need no other feature module (the run-facing ones: MaintenanceModule).
 */
@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature([UserActivityDigest]), AuditModule],
  providers: [TaskRegistry, UserActivityDigestsRepository, ...HANDLERS],
  exports: [TaskRegistry],
})
export class TasksModule {}
