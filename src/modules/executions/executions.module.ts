import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { JobsModule } from '../jobs/jobs.module';
import { TasksModule } from '../tasks/tasks.module';
import { Execution } from './execution.entity';
import { ExecutionsRepository } from './executions.repository';
import { ExecutionsService } from './executions.service';
import { ManualRunsService } from './manual-runs.service';
import { QueueService } from './queue/queue.service';
import { RunOutcomesRepository } from './run-outcomes.repository';

/** Runs (the `executions` table) and their queues (BullMQ); above jobs, whose services it calls. */
@Module({
  imports: [TypeOrmModule.forFeature([Execution]), JobsModule, TasksModule, AuditModule],
  providers: [ExecutionsRepository, RunOutcomesRepository, ExecutionsService, ManualRunsService, QueueService],
  exports: [ExecutionsService, ManualRunsService, QueueService],
})
export class ExecutionsModule {}
