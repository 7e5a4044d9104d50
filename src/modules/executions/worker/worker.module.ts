import { Module } from '@nestjs/common';
import { AlertsModule } from '../../alerts/alerts.module';
import { DeliveryWorkerService } from '../../alerts/delivery-worker.service';
import { JobsModule } from '../../jobs/jobs.module';
import { SecretsModule } from '../../secrets/secrets.module';
import { TasksModule } from '../../tasks/tasks.module';
import { ExecutionsModule } from '../executions.module';
import { RunExecutor } from './run-executor.service';
import { RunWorkerService } from './run-worker.service';
import { WorkerProcessesService } from './worker-processes.service';

/** The worker role: executes runs from the queues, and sends alert deliveries. */
@Module({
  imports: [ExecutionsModule, JobsModule, TasksModule, SecretsModule, AlertsModule],
  providers: [RunExecutor, RunWorkerService, WorkerProcessesService, DeliveryWorkerService],
  exports: [RunExecutor, RunWorkerService, WorkerProcessesService],
})
export class WorkerModule {}
