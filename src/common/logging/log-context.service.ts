import { Injectable, Optional } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

/**
 * Runs work in a logging context: every line logged inside it (through Nest's Logger or
 * PinoLogger, by whatever service) carries `bindings`, e.g. `run_id` while a run executes.
 */
@Injectable()
export class LogContext {
  constructor(@Optional() private readonly pino?: PinoLogger) {}

  run<T>(bindings: Record<string, unknown>, work: () => T): T {
    // No root logger (a bare module in a unit test): run without a context.
    if (!this.pino || !PinoLogger.root) return work();
    return this.pino.runInContext(work, { bindings });
  }
}
