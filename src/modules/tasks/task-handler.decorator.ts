import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

export const TASK_HANDLER_METADATA = 'jobs:task-handler';

export interface TaskHandlerOptions {
  description: string;
  /** Schema of the kwargs; it validates them on job save and on every run. */
  kwargs: z.ZodType<Record<string, unknown>>;
}

export interface TaskHandlerMetadata extends TaskHandlerOptions {
  name: string;
}

/**
 * Declares an injectable class as the handler of task `name`; `TaskRegistry` finds it at
 * start-up. The class must implement `TaskHandlerInstance`.
 */
export const TaskHandler = (name: string, options: TaskHandlerOptions): ClassDecorator =>
  applyDecorators(Injectable(), SetMetadata(TASK_HANDLER_METADATA, { name, ...options } satisfies TaskHandlerMetadata));
