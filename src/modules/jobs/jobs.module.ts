import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ExecutionsModule } from '../executions/executions.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { TasksModule } from '../tasks/tasks.module';
import { JobActionsService } from './job-actions.service';
import { JobStatsRepository } from './job-stats.repository';
import { JobStatsService } from './job-stats.service';
import { Job } from './job.entity';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';

@Module({
  imports: [TypeOrmModule.forFeature([Job]), SchedulesModule, AuditModule, TasksModule, ExecutionsModule],
  providers: [JobsRepository, JobsService, JobActionsService, JobStatsRepository, JobStatsService],
  exports: [JobsService, JobsRepository, JobActionsService, JobStatsService],
})
export class JobsModule {}
