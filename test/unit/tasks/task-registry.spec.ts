import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { ValidationFailedError } from '../../../src/common/errors';
import { TaskHandler } from '../../../src/modules/tasks/task-handler.decorator';
import { TaskRegistry } from '../../../src/modules/tasks/task-registry.service';
import type { TaskContext, TaskHandlerInstance } from '../../../src/modules/tasks/task.types';

const ctx = (signal = new AbortController().signal): TaskContext => ({
  signal,
  runId: 7,
  jobId: 3,
  jobName: 'job',
  attempt: 1,
  scheduledFor: new Date('2026-11-30T12:00:00Z'),
  logger: { debug: () => undefined, log: () => undefined, warn: () => undefined, error: () => undefined },
});

@TaskHandler('test.echo', {
  description: 'Echoes',
  kwargs: z.object({ word: z.string(), times: z.number().int().min(1).default(1) }).strict(),
})
class EchoTask implements TaskHandlerInstance {
  run(kwargs: Record<string, unknown>, context: TaskContext, args: unknown[]): Promise<unknown> {
    return Promise.resolve({ kwargs, runId: context.runId, args });
  }
}

@TaskHandler('test.hang', { description: 'Never ends', kwargs: z.object({}) })
class HangTask implements TaskHandlerInstance {
  run(): Promise<unknown> {
    return new Promise(() => undefined);
  }
}

@TaskHandler('test.echo', { description: 'Same name', kwargs: z.object({}) })
class DuplicateEchoTask implements TaskHandlerInstance {
  run(): Promise<unknown> {
    return Promise.resolve(null);
  }
}

@Module({ providers: [DuplicateEchoTask] })
class OtherModule {}

async function registryWith(providers: unknown[], imports: unknown[] = []): Promise<TaskRegistry> {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule, ...(imports as never[])],
    providers: [TaskRegistry, ...(providers as never[])],
  }).compile();
  await moduleRef.init();
  return moduleRef.get(TaskRegistry);
}

describe(TaskRegistry.name, () => {
  it('discovers decorated handlers and runs them with validated kwargs and defaults', async () => {
    const registry = await registryWith([EchoTask, HangTask]);
    expect(registry.names()).toEqual(['test.echo', 'test.hang']);
    expect(registry.has('test.echo')).toBe(true);
    await expect(registry.run('test.echo', { word: 'hi' }, [1], ctx())).resolves.toEqual({
      kwargs: { word: 'hi', times: 1 },
      runId: 7,
      args: [1],
    });
  });

  it('describes kwargs as JSON Schema with defaults and required names', async () => {
    const registry = await registryWith([EchoTask]);
    const [echo] = registry.describe();
    expect(echo).toMatchObject({
      name: 'test.echo',
      description: 'Echoes',
      kwargs: { type: 'object', required: ['word'], properties: { times: { default: 1 } } },
    });
  });

  it('names the failing field as task_kwargs.<field>', async () => {
    const registry = await registryWith([EchoTask]);
    expect(() => registry.validateKwargs('test.echo', { word: 3 })).toThrow(ValidationFailedError);
    expect(() => registry.validateKwargs('test.echo', { word: 'a', times: 0 })).toThrow(/^task_kwargs\.times: /);
    expect(() => registry.validateKwargs('test.echo', { word: 'a', extra: 1 })).toThrow(
      'task_kwargs.extra: is not an argument of task "test.echo"',
    );
  });

  it('rejects an unknown task naming the known ones', async () => {
    const registry = await registryWith([EchoTask, HangTask]);
    expect(() => registry.validateKwargs('x', {})).toThrow(
      'task_name: unknown task "x"; known tasks: test.echo, test.hang',
    );
    await expect(registry.run('x', {}, [], ctx())).rejects.toThrow(ValidationFailedError);
  });

  it('rejects as soon as the signal aborts, even when the handler ignores it', async () => {
    const registry = await registryWith([HangTask]);
    const controller = new AbortController();
    const running = registry.run('test.hang', {}, [], ctx(controller.signal));
    controller.abort(new Error('run cancelled'));
    await expect(running).rejects.toThrow('run cancelled');
  });

  it('fails start-up when two handlers share a name', async () => {
    await expect(registryWith([EchoTask], [OtherModule])).rejects.toThrow('Duplicate task handler "test.echo"');
  });
});
