import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { JobsModule } from '../jobs/jobs.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { TasksModule } from '../tasks/tasks.module';
import { BackfillService } from './backfill.service';
import { Execution } from './execution.entity';
import { ExecutionsRepository } from './executions.repository';
import { ExecutionsService } from './executions.service';
import { ManualRunsService } from './manual-runs.service';
import { QueueService } from './queue/queue.service';
import { RunOutcomesRepository } from './run-outcomes.repository';
import { RunLogLine } from './run-logs/run-log-line.entity';
import { RunLogWriter } from './run-logs/run-log-writer';
import { RunLogsRepository } from './run-logs/run-logs.repository';
import { RunLogsService } from './run-logs/run-logs.service';

/** Runs (the `executions` table), their logs and their queues (BullMQ); above jobs, whose services it calls. */
@Module({
  imports: [TypeOrmModule.forFeature([Execution, RunLogLine]), JobsModule, SchedulesModule, TasksModule, AuditModule],
  providers: [
    ExecutionsRepository,
    RunOutcomesRepository,
    ExecutionsService,
    ManualRunsService,
    BackfillService,
    QueueService,
    RunLogsRepository,
    RunLogWriter,
    RunLogsService,
  ],
  exports: [ExecutionsService, ManualRunsService, BackfillService, QueueService, RunLogWriter, RunLogsService],
})
export class ExecutionsModule {}
