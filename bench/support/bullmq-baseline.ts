import { Queue, Worker, createPostgresBackend, type Job, type Processor } from 'bullmq';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import { BULLMQ_SCHEMA } from './environment';

export type BullBackend = 'postgres' | 'redis';

/** BullMQ alone, on one of its backends, configured as the product configures it (QueueService). */
export class BullmqAlone {
  private readonly pool: Pool | undefined;
  private readonly redis: IORedis | undefined;
  private readonly closers: (() => Promise<unknown>)[] = [];

  constructor(
    readonly backend: BullBackend,
    url: string,
    private readonly prefix = `bench${Date.now()}`,
    poolSize = 24,
  ) {
    if (backend === 'postgres') {
      this.pool = new Pool({
        connectionString: url,
        max: poolSize,
        options: `-c search_path=${BULLMQ_SCHEMA}`,
        application_name: 'jobs-bench:bullmq',
      });
    } else {
      this.redis = new IORedis(url, { maxRetriesPerRequest: null });
    }
  }

  queue<T>(name: string): Queue<T> {
    const queue =
      this.backend === 'redis'
        ? new Queue<T>(name, { connection: this.redis!, prefix: this.prefix })
        : new Queue<T>(name, { connection: this.pool! }, createPostgresBackend as never);
    this.closers.push(() => queue.close());
    return queue;
  }

  worker<T>(name: string, processor: Processor<T>, concurrency: number): Worker<T> {
    const worker =
      this.backend === 'redis'
        ? new Worker<T>(name, processor, { connection: this.redis!, prefix: this.prefix, concurrency })
        : new Worker<T>(name, processor, { connection: this.pool!, concurrency }, createPostgresBackend as never);
    worker.on('error', () => undefined);
    this.closers.unshift(() => worker.close());
    return worker;
  }

  async close(): Promise<void> {
    for (const close of this.closers) await close().catch(() => undefined);
    if (this.redis) {
      const keys = await this.redis.keys(`${this.prefix}:*`);
      for (let i = 0; i < keys.length; i += 1000) await this.redis.del(...keys.slice(i, i + 1000));
      this.redis.disconnect();
    }
    await this.pool?.end();
  }
}

/** `count` no-op messages added in bulk (1,000 per addBulk) and consumed by a no-op worker: messages per second. */
export async function bullmqNoopThroughput(
  backend: BullBackend,
  url: string,
  count: number,
  concurrency: number,
): Promise<number> {
  const bull = new BullmqAlone(backend, url);
  try {
    const name = `noop-${Date.now()}`;
    const queue = bull.queue<{ i: number }>(name);
    await queue.waitUntilReady();
    let done = 0;
    let finish: () => void = () => undefined;
    const allDone = new Promise<void>((resolve) => (finish = resolve));
    const worker = bull.worker<{ i: number }>(name, async (_job: Job<{ i: number }>) => undefined, concurrency);
    worker.on('completed', () => {
      if (++done === count) finish();
    });
    await worker.waitUntilReady();
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i += 1000) {
      const size = Math.min(1000, count - i);
      await queue.addBulk(
        Array.from({ length: size }, (_, k) => ({
          name: 'run',
          data: { i: i + k },
          opts: { jobId: `run-${i + k + 1}`, removeOnComplete: true },
        })),
      );
    }
    await allDone;
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await bull.close();
  }
}
