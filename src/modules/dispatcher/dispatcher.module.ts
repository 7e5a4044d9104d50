import { Module } from '@nestjs/common';
import { ExecutionsModule } from '../executions/executions.module';
import { JobsModule } from '../jobs/jobs.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { RunRecoveryService } from './run-recovery.service';
import { ScheduleDispatcherService } from './schedule-dispatcher.service';

/** The scheduler role: fires due jobs and recovers lost runs. */
@Module({
  imports: [JobsModule, ExecutionsModule, SchedulesModule],
  providers: [ScheduleDispatcherService, RunRecoveryService],
  exports: [ScheduleDispatcherService, RunRecoveryService],
})
export class DispatcherModule {}
