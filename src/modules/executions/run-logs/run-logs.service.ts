import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { FINAL_STATUSES, type RunStatus } from '../execution.entity';
import { RunNotFoundError } from '../executions.errors';
import { ExecutionsService } from '../executions.service';
import { RunLogLineDto, type RunLogPageDto } from './dto/run-logs.dto';
import { RunLogsRepository } from './run-logs.repository';

/** How often a live stream looks for new lines. */
export const RUN_LOG_POLL_MS = 500;
const STREAM_BATCH = 500;

/** An event of a run's live log: a line, or the end (the run is final and every line was sent). */
export type RunLogEvent = { type: 'line'; line: RunLogLineDto } | { type: 'end'; status: RunStatus };

/** Reading a run's log: by page, or live until the run ends. */
@Injectable()
export class RunLogsService {
  constructor(
    private readonly lines: RunLogsRepository,
    private readonly executions: ExecutionsService,
  ) {}

  async page(runId: number, after: number, limit: number): Promise<RunLogPageDto> {
    // The status first: lines are written before the outcome, so a run seen final has them all.
    const status = await this.requireStatus(runId);
    const items = (await this.lines.after(runId, after, limit)).map((l) => RunLogLineDto.from(l));
    return {
      items,
      next_after: items.length > 0 ? items[items.length - 1].seq : after,
      run_finished: FINAL_STATUSES.includes(status),
    };
  }

  /** Throws RunNotFoundError for an unknown run (before a stream starts, so it is a 404). */
  async requireStatus(runId: number): Promise<RunStatus> {
    const status = await this.executions.statusOf(runId);
    if (!status) throw new RunNotFoundError(runId);
    return status;
  }

  /**
   * The lines after `after`, then each new one as it is written (polled every RUN_LOG_POLL_MS),
   * then `end` once the run is final and every line has been sent. Stops early when `signal`
   * aborts (the client went away).
   */
  async *follow(runId: number, after: number, signal?: AbortSignal): AsyncGenerator<RunLogEvent> {
    let last = after;
    while (!signal?.aborted) {
      const status = await this.requireStatus(runId);
      const batch = await this.lines.after(runId, last, STREAM_BATCH);
      for (const line of batch) yield { type: 'line', line: RunLogLineDto.from(line) };
      if (batch.length > 0) last = batch[batch.length - 1].seq;
      if (batch.length === STREAM_BATCH) continue;
      if (FINAL_STATUSES.includes(status)) {
        yield { type: 'end', status };
        return;
      }
      await sleep(RUN_LOG_POLL_MS, undefined, { signal }).catch(() => undefined);
    }
  }
}
