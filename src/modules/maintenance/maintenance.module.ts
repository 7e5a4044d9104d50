import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExecutionsModule } from '../executions/executions.module';
import { AnalyticsAggregationTask } from './analytics-aggregation.task';
import { DatabaseMaintenanceTask } from './database-maintenance.task';
import { JobDailyStat } from './job-daily-stat.entity';
import { JobDailyStatsRepository } from './job-daily-stats.repository';

/**
 * The built-in tasks that work on the runs (roll-ups into `job_daily_stats`, retention and
 * VACUUM). They sit above the runs module and call its service; the task registry (tasks
 * module) finds them by their @TaskHandler decorator like any other handler.
 */
@Module({
  imports: [TypeOrmModule.forFeature([JobDailyStat]), ExecutionsModule],
  providers: [JobDailyStatsRepository, AnalyticsAggregationTask, DatabaseMaintenanceTask],
})
export class MaintenanceModule {}
