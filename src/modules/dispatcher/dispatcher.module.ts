import { Module } from '@nestjs/common';
import { ExecutionsModule } from '../executions/executions.module';
import { JobsModule } from '../jobs/jobs.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { RunRecoveryService } from './run-recovery.service';
import { RunRetentionService } from './run-retention.service';
import { ScheduleDispatcherService } from './schedule-dispatcher.service';

/** The scheduler role: fires due jobs, recovers lost runs and deletes runs past their retention. */
@Module({
  imports: [JobsModule, ExecutionsModule, SchedulesModule],
  providers: [ScheduleDispatcherService, RunRecoveryService, RunRetentionService],
  exports: [ScheduleDispatcherService, RunRecoveryService, RunRetentionService],
})
export class DispatcherModule {}
