import { Module } from '@nestjs/common';
import { ExecutionsModule } from '../executions/executions.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { DispatchRepository } from './dispatch.repository';
import { RunRecoveryService } from './run-recovery.service';
import { ScheduleDispatcherService } from './schedule-dispatcher.service';

/** The scheduler role: fires due jobs and recovers lost runs. */
@Module({
  imports: [ExecutionsModule, SchedulesModule],
  providers: [DispatchRepository, ScheduleDispatcherService, RunRecoveryService],
  exports: [ScheduleDispatcherService, RunRecoveryService],
})
export class DispatcherModule {}
