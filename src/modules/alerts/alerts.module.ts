import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { ExecutionsModule } from '../executions/executions.module';
import { JobsModule } from '../jobs/jobs.module';
import { AlertsService } from './alerts.service';

/**
 * Alerting, above executions: which outcome or overdue job sends what to which channel
 * (AlertsService, in every process that records outcomes). The roles add their parts: the api
 * role the channels controller, the scheduler AlertsWatchService, the worker DeliveryWorkerService.
 */
@Module({
  imports: [ChannelsModule, ExecutionsModule, JobsModule],
  providers: [AlertsService],
  exports: [AlertsService, ChannelsModule],
})
export class AlertsModule {}
