import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ExecutionsModule } from '../executions/executions.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { TasksModule } from '../tasks/tasks.module';
import { JobActionsController } from './job-actions.controller';
import { JobActionsService } from './job-actions.service';
import { JobStatsRepository } from './job-stats.repository';
import { JobStatsService } from './job-stats.service';
import { Job } from './job.entity';
import { JobsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';

@Module({
  imports: [TypeOrmModule.forFeature([Job]), SchedulesModule, AuditModule, TasksModule, ExecutionsModule],
  // JobActionsController first: its `overdue/list` and `stats/overview` must not be taken for an id.
  controllers: [JobActionsController, JobsController],
  providers: [JobsRepository, JobsService, JobActionsService, JobStatsRepository, JobStatsService],
  exports: [JobsService, JobsRepository, JobActionsService, JobStatsService],
})
export class JobsModule {}
