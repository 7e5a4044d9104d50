import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { AlertsWatchService } from '../alerts/alerts-watch.service';
import { ExecutionsModule } from '../executions/executions.module';
import { JobsModule } from '../jobs/jobs.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { RunRecoveryService } from './run-recovery.service';
import { RunRetentionService } from './run-retention.service';
import { ScheduleDispatcherService } from './schedule-dispatcher.service';

/** The scheduler role: fires due jobs, recovers lost runs and deletes runs past their retention. */
@Module({
  imports: [JobsModule, ExecutionsModule, SchedulesModule, AlertsModule],
  providers: [ScheduleDispatcherService, RunRecoveryService, RunRetentionService, AlertsWatchService],
  exports: [ScheduleDispatcherService, RunRecoveryService, RunRetentionService],
})
export class DispatcherModule {}
