import { Injectable } from '@nestjs/common';
import { QueueService } from '../executions/queue/queue.service';
import { JobsService } from '../jobs/jobs.service';
import { withTimeout } from '../metrics/with-timeout';
import type { QueueHealthProbe, QueueHealthReport } from '../tasks/queue-health';
import { CHECK_TIMEOUT_MS } from './health.service';

/** The queue as the `system_health_check` task sees it (registered under QUEUE_HEALTH_PROBE). */
@Injectable()
export class BullmqQueueHealthProbe implements QueueHealthProbe {
  constructor(
    private readonly queue: QueueService,
    private readonly jobs: JobsService,
  ) {}

  async check(signal: AbortSignal): Promise<QueueHealthReport> {
    const backend = this.queue.backend;
    try {
      signal.throwIfAborted();
      await withTimeout(this.queue.ping(), CHECK_TIMEOUT_MS, 'queue ping');
      const names = await this.jobs.queues();
      const depth: Record<string, number> = {};
      let liveWorkers = 0;
      for (const name of names) {
        signal.throwIfAborted();
        const queue = await this.queue.queue(name);
        depth[name] = await withTimeout(this.queue.depth(name), CHECK_TIMEOUT_MS, `depth of ${name}`);
        liveWorkers += await withTimeout(queue.getWorkersCount(), CHECK_TIMEOUT_MS, `workers of ${name}`);
      }
      return { configured: true, backend, reachable: true, depth, live_workers: liveWorkers };
    } catch (error) {
      if (signal.aborted) throw error;
      return {
        configured: true,
        backend,
        reachable: false,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
