import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AnalyticsAggregationTask } from './handlers/analytics-aggregation.task';
import { CreateBackupTask } from './handlers/create-backup.task';
import { DatabaseMaintenanceTask } from './handlers/database-maintenance.task';
import { DocumentCleanupTask } from './handlers/document-cleanup.task';
import { HttpRequestTask } from './handlers/http-request.task';
import { McpServerHealthCheckTask } from './handlers/mcp-server-health-check.task';
import { SystemCleanupTask } from './handlers/system-cleanup.task';
import { SystemHealthCheckTask } from './handlers/system-health-check.task';
import { UserActivityDigestTask } from './handlers/user-activity-digest.task';
import { JobDailyStat } from './job-daily-stat.entity';
import { JobDailyStatsRepository } from './job-daily-stats.repository';
import { ServiceTablesRepository } from './service-tables.repository';
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
  AnalyticsAggregationTask,
  DatabaseMaintenanceTask,
];

/** The task handlers (one file each) and the registry that finds them at start-up. */
@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature([UserActivityDigest, JobDailyStat])],
  providers: [
    TaskRegistry,
    ServiceTablesRepository,
    UserActivityDigestsRepository,
    JobDailyStatsRepository,
    ...HANDLERS,
  ],
  exports: [TaskRegistry],
})
export class TasksModule {}
