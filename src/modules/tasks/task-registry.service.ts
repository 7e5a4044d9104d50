import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { z } from 'zod';
import { ValidationFailedError } from '../../common/errors';
import { findSecretReferences, withPlaceholders } from '../secrets/secret-references';
import { raceAbort, throwIfAborted } from './abort';
import { TASK_HANDLER_METADATA, type TaskHandlerMetadata } from './task-handler.decorator';
import type { TaskContext, TaskDescription, TaskHandlerInstance } from './task.types';

interface RegisteredTask {
  meta: TaskHandlerMetadata;
  instance: TaskHandlerInstance;
}

/** Every `@TaskHandler` in the application, found once at start-up. */
@Injectable()
export class TaskRegistry implements OnModuleInit {
  private readonly tasks = new Map<string, RegisteredTask>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype;
      const instance: unknown = wrapper.instance;
      if (!metatype || typeof metatype !== 'function' || !instance) continue;
      const meta = this.reflector.get<TaskHandlerMetadata | undefined>(TASK_HANDLER_METADATA, metatype);
      if (meta) this.register(meta, instance as TaskHandlerInstance);
    }
  }

  /** Adds a handler; a second handler with the same name is a start-up error. */
  register(meta: TaskHandlerMetadata, instance: TaskHandlerInstance): void {
    const existing = this.tasks.get(meta.name);
    if (existing && existing.instance !== instance) {
      throw new Error(
        `Duplicate task handler "${meta.name}": ${existing.instance.constructor.name} and ${instance.constructor.name}`,
      );
    }
    if (typeof instance.run !== 'function')
      throw new Error(`Task handler "${meta.name}" (${instance.constructor.name}) has no run() method`);
    this.tasks.set(meta.name, { meta, instance });
  }

  names(): string[] {
    return [...this.tasks.keys()].sort();
  }

  has(name: string): boolean {
    return this.tasks.has(name);
  }

  describe(): TaskDescription[] {
    return this.names().map((name) => {
      const { meta } = this.tasks.get(name)!;
      const kwargs = z.toJSONSchema(meta.kwargs, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
      delete kwargs.$schema;
      return { name, description: meta.description, kwargs };
    });
  }

  /** Validated kwargs with defaults applied (secret references as placeholders); errors name `task_kwargs.<field>`. */
  validateKwargs(name: string, kwargs: Record<string, unknown> | null | undefined): Record<string, unknown> {
    // A `{"$secret": "NAME"}` reference is checked when the worker substitutes the value, just before the run.
    const input = withPlaceholders(kwargs ?? {}, 'task_kwargs') as Record<string, unknown>;
    const parsed = this.get(name).meta.kwargs.safeParse(input);
    if (parsed.success) return this.checked(name, parsed.data);
    const references = new Set(findSecretReferences(kwargs ?? {}, 'task_kwargs').map((r) => r.field));
    const issues = parsed.error.issues.filter(
      (issue) => !references.has(['task_kwargs', ...issue.path.map(String)].join('.')),
    );
    if (issues.length === 0) return this.checked(name, input);
    const details = issues.flatMap((issue) => describeIssue(name, issue));
    throw new ValidationFailedError(details.join('; '), details);
  }

  /** The handler's own checks of valid kwargs, those that need its configuration. */
  private checked(name: string, valid: Record<string, unknown>): Record<string, unknown> {
    const problems = this.get(name).instance.checkKwargs?.(valid) ?? [];
    if (problems.length > 0) throw new ValidationFailedError(problems.join('; '), problems);
    return valid;
  }

  /** Validates the kwargs and runs the handler; rejects as soon as `ctx.signal` aborts. */
  async run(
    name: string,
    kwargs: Record<string, unknown> | null | undefined,
    args: unknown[],
    ctx: TaskContext,
  ): Promise<unknown> {
    const valid = this.validateKwargs(name, kwargs);
    throwIfAborted(ctx.signal);
    return raceAbort(this.get(name).instance.run(valid, ctx, args ?? []), ctx.signal);
  }

  private get(name: string): RegisteredTask {
    const task = this.tasks.get(name);
    if (!task)
      throw ValidationFailedError.forField(
        'task_name',
        `unknown task "${name}"; known tasks: ${this.names().join(', ')}`,
      );
    return task;
  }
}

function describeIssue(task: string, issue: z.core.$ZodIssue): string[] {
  const field = ['task_kwargs', ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${field}.${key}: is not an argument of task "${task}"`);
  }
  return [`${field}: ${issue.message}`];
}
