import type { LoggerService } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';

export const RUN_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type RunLogLevel = (typeof RUN_LOG_LEVELS)[number];

/** Where the lines logged during one run go (the executions module keeps them with the run). */
export interface RunLogSink {
  add(level: RunLogLevel, message: string, fields?: Record<string, unknown>): void;
}

const current = new AsyncLocalStorage<RunLogSink>();

/** Runs `work` so that every line logged within it, by any service, also reaches `sink`. */
export function captureRunLog<T>(sink: RunLogSink, work: () => T): T {
  return current.run(sink, work);
}

/**
 * The process's Nest logger, wrapped (createApp installs it whatever the output): a line
 * logged while a run executes (`captureRunLog`) is handed to that run's sink as well as to the
 * output. Every `Logger` in the code base logs through here, so a task's own lines and those
 * of the services it calls are kept alike. Without an output (`logger: false`) lines only go
 * to the sink.
 */
export class RunLogCapturingLogger implements LoggerService {
  constructor(private readonly output?: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    capture('info', message, params);
    this.output?.log(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    capture('warn', message, params);
    this.output?.warn(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    capture('error', message, params);
    this.output?.error(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    capture('error', message, params);
    this.output?.fatal?.(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    capture('debug', message, params);
    this.output?.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    capture('debug', message, params);
    this.output?.verbose?.(message, ...params);
  }
}

/**
 * Nest's calling convention: `(message, ...params, context)`, the context (the logger's name)
 * last; `message` may be an object whose `msg` is the text and whose other keys are fields.
 */
function capture(level: RunLogLevel, message: unknown, params: unknown[]): void {
  const sink = current.getStore();
  if (!sink) return;
  const fields: Record<string, unknown> = {};
  const context = params.length > 0 ? params[params.length - 1] : undefined;
  if (typeof context === 'string') fields.context = context;
  let text: string;
  if (message instanceof Error) text = message.message;
  else if (message !== null && typeof message === 'object') {
    const { msg, ...rest } = message as Record<string, unknown>;
    text = typeof msg === 'string' ? msg : '';
    Object.assign(fields, rest);
  } else text = String(message);
  sink.add(level, text, fields);
}

/** Runs `work` outside any run's log (timers and writes shared by many runs start here). */
export function outsideRunLog<T>(work: () => T): T {
  return current.exit(work);
}
