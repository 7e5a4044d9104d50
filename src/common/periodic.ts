import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';

/**
 * Background work on a timer, registered with @nestjs/schedule's SchedulerRegistry under `name`:
 * one pass at a time (a pass still going when the next is due skips that turn), a failed pass
 * logged as a warning and tried again at the next turn; `stop()` clears the timers and waits for
 * the pass in flight (onModuleDestroy).
 */
export class Periodic {
  private pass: Promise<unknown> | undefined;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly name: string,
    private readonly logger: Logger,
    /** What a pass is, for the warning when one fails ("Recovery sweep failed: …"). */
    private readonly what: string,
  ) {}

  /** Every `everyMs`; with `firstAfterMs`, also once that long after start (before the first interval). */
  start(everyMs: number, work: () => Promise<unknown>, firstAfterMs?: number): void {
    const turn = () => {
      this.pass ??= work()
        .catch((error: Error) => this.logger.warn(`${this.what} failed: ${error.message}`))
        .finally(() => (this.pass = undefined));
    };
    if (firstAfterMs !== undefined) this.registry.addTimeout(this.name, setTimeout(turn, firstAfterMs));
    this.registry.addInterval(this.name, setInterval(turn, everyMs));
  }

  async stop(): Promise<void> {
    if (this.registry.doesExist('timeout', this.name)) this.registry.deleteTimeout(this.name);
    if (this.registry.doesExist('interval', this.name)) this.registry.deleteInterval(this.name);
    await this.pass;
  }
}
