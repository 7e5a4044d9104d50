import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionResponseDto } from '../modules/executions/dto/execution-response.dto';
import { ExecutionsService } from '../modules/executions/executions.service';
import { OperationFailedError } from './cli-errors';
import { CliOutput } from './output/cli-output';
import { humanSpan } from './output/format';

const ENDED = new Set(['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped']);
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const POLL_MS = 250;

/**
 * `jobs execute --wait`: follows a run until it ends, with a spinner on a terminal and a
 * plain line per status change otherwise (both on stderr). The CLI only queues runs; a
 * worker of a running server executes them, so a run nobody takes within `pickupSeconds`
 * ends the wait with an explanation.
 */
@Injectable()
export class RunWaiter {
  constructor(
    private readonly executions: ExecutionsService,
    private readonly out: CliOutput,
  ) {}

  async wait(runId: number, pickupSeconds: number): Promise<ExecutionResponseDto> {
    const started = Date.now();
    const spinner = process.stderr.isTTY;
    let lastStatus = '';
    let frame = 0;
    try {
      for (;;) {
        const run = await this.executions.get(runId);
        if (ENDED.has(run.status)) return run;
        const waited = (Date.now() - started) / 1000;
        if (run.status === 'queued' && waited >= pickupSeconds) {
          throw new OperationFailedError(
            `no worker picked up run ${runId} within ${humanSpan(pickupSeconds)}. ./manage only queues runs: a server with the worker role ` +
              `(npm start, or ROLES including "worker") executes them. The run stays queued and runs when a worker starts.`,
          );
        }
        const label =
          run.status === 'running' ? `running${run.worker ? ` on ${run.worker}` : ''}` : 'queued, waiting for a worker';
        if (spinner)
          process.stderr.write(
            `\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} run ${runId} ${label} (${humanSpan(waited)})`,
          );
        else if (run.status !== lastStatus) this.out.note(`run ${runId}: ${label}`);
        lastStatus = run.status;
        await sleep(POLL_MS);
      }
    } finally {
      if (spinner) process.stderr.write('\r\x1b[2K');
    }
  }
}
