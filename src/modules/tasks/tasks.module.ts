import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CreateBackupTask } from './handlers/create-backup.task';
import { DocumentCleanupTask } from './handlers/document-cleanup.task';
import { HttpRequestTask } from './handlers/http-request.task';
import { McpServerHealthCheckTask } from './handlers/mcp-server-health-check.task';
import { SystemCleanupTask } from './handlers/system-cleanup.task';
import { SystemHealthCheckTask } from './handlers/system-health-check.task';
import { UserActivityDigestTask } from './handlers/user-activity-digest.task';
import { ServiceTablesRepository } from './service-tables.repository';
import { TaskRegistry } from './task-registry.service';
import { TasksController } from './tasks.controller';
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

/** The task handlers (one file each) and the registry that finds them at start-up. */
@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature([UserActivityDigest])],
  controllers: [TasksController],
  providers: [TaskRegistry, ServiceTablesRepository, UserActivityDigestsRepository, ...HANDLERS],
  exports: [TaskRegistry],
})
export class TasksModule {}
