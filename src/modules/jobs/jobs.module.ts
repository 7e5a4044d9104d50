import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ChannelsModule } from '../channels/channels.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { TasksModule } from '../tasks/tasks.module';
import { DueJobsRepository } from './due-jobs.repository';
import { DueJobsService } from './due-jobs.service';
import { JobActionsService } from './job-actions.service';
import { JobDefinitionsService } from './job-definitions.service';
import { JobStatsRepository } from './job-stats.repository';
import { JobStatsService } from './job-stats.service';
import { Job } from './job.entity';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';

/** Jobs (the `jobs` and `job_counts` tables): definitions, their schedule state and statistics. */
@Module({
  imports: [TypeOrmModule.forFeature([Job]), SchedulesModule, AuditModule, TasksModule, ChannelsModule],
  providers: [
    JobsRepository,
    JobsService,
    JobActionsService,
    JobDefinitionsService,
    JobStatsRepository,
    JobStatsService,
    DueJobsRepository,
    DueJobsService,
  ],
  exports: [JobsService, JobsRepository, JobActionsService, JobDefinitionsService, JobStatsService, DueJobsService],
})
export class JobsModule {}
