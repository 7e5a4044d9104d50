import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { TasksModule } from '../tasks/tasks.module';
import { Execution } from './execution.entity';
import { ExecutionsRepository } from './executions.repository';
import { ExecutionsService } from './executions.service';
import { QueueService } from './queue/queue.service';

/** Runs, their queues (BullMQ) and the cross-process notifications. */
@Module({
  imports: [TypeOrmModule.forFeature([Execution]), TasksModule, AuditModule],
  providers: [ExecutionsRepository, ExecutionsService, QueueService],
  exports: [ExecutionsRepository, ExecutionsService, QueueService],
})
export class ExecutionsModule {}
