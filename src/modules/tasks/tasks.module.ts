import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HttpRequestTask } from './handlers/http-request.task';
import { TaskRegistry } from './task-registry.service';
import { TasksController } from './tasks.controller';

/** The task handlers (one file each) and the registry that finds them at start-up. */
@Module({
  imports: [DiscoveryModule],
  controllers: [TasksController],
  providers: [TaskRegistry, HttpRequestTask],
  exports: [TaskRegistry],
})
export class TasksModule {}
