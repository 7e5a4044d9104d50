import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ExecutionsModule } from '../executions/executions.module';
import { JobsModule } from '../jobs/jobs.module';
import { QUEUE_HEALTH_PROBE } from '../tasks/queue-health';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { BullmqQueueHealthProbe } from './queue-health.probe';

/** GET /health, GET /health/ready, and the queue probe the system health check task uses. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), ExecutionsModule, JobsModule],
  controllers: [HealthController],
  providers: [HealthService, { provide: QUEUE_HEALTH_PROBE, useClass: BullmqQueueHealthProbe }],
  exports: [QUEUE_HEALTH_PROBE],
})
export class HealthModule {}
