import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { TraceCarrier } from '../../../common/tracing/spans';
import type { Processor, Queue, Worker, WorkerOptions } from 'bullmq';
import type { Redis as IORedis } from 'ioredis';
import { Pool } from 'pg';
import { AppConfig } from '../../../config/app-config';
import { DatabaseServer } from '../../../database/database-server';

export interface RunMessage {
  runId: number;
  /** The W3C trace context of the dispatch that released it (tracing on): the run's span continues its trace. */
  trace?: TraceCarrier;
}

export interface EnqueueRequest {
  runId: number;
  queue: string;
  /** 1–10, higher runs first. */
  priority: number;
  delayMs?: number;
  trace?: TraceCarrier;
}

const BULLMQ_SCHEMA = 'bullmq';
/** The most connections one process's BullMQ (PostgreSQL backend) opens. */
const BULLMQ_POOL_MAX = 12;

/**
 * BullMQ on one of its two backends: PostgreSQL (the service's own database, schema
 * `bullmq`; the default) or Redis (`REDIS_URL`). One BullMQ queue per `task_queue`.
 * Every message carries its run id as job id, so enqueueing a run twice is harmless.
 */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly logger = new Logger(QueueService.name);
  private readonly queues = new Map<string, Queue<RunMessage>>();
  private readonly workers = new Set<Worker<unknown>>();
  private ready: Promise<void> | undefined;
  private pool: Pool | undefined;
  private redis: IORedis | undefined;
  /**
   * BullMQ itself, loaded on the first connect: ~90 ms of start-up that processes which never
   * queue anything (most ./manage commands) would pay otherwise.
   */
  private bullmq: typeof import('bullmq') | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly database: DatabaseServer,
  ) {}

  get backend(): 'redis' | 'postgres' {
    return this.config.redisUrl ? 'redis' : 'postgres';
  }

  async enqueue(requests: EnqueueRequest[]): Promise<void> {
    const byQueue = new Map<string, EnqueueRequest[]>();
    for (const r of requests) {
      const group = byQueue.get(r.queue);
      if (group) group.push(r);
      else byQueue.set(r.queue, [r]);
    }
    for (const [name, items] of byQueue) {
      const queue = await this.queue(name);
      await queue.addBulk(
        items.map((r) => ({
          name: 'run',
          data: r.trace ? { runId: r.runId, trace: r.trace } : { runId: r.runId },
          opts: {
            jobId: `run-${r.runId}`,
            // BullMQ: a lower number runs first; ours: higher runs first.
            priority: 11 - r.priority,
            delay: r.delayMs && r.delayMs > 0 ? r.delayMs : undefined,
            removeOnComplete: true,
            // A failed message must not keep its id: the recovery sweep re-adds the run under it.
            removeOnFail: true,
          },
        })),
      );
    }
  }

  /**
   * Messages other than runs (notification deliveries): each under its own `jobId`, so adding
   * one twice is harmless, retried by BullMQ up to `attempts` times with exponential backoff.
   */
  async addMessages(
    queueName: string,
    messages: { jobId: string; data: Record<string, unknown> }[],
    retry: { attempts: number; backoffMs: number },
  ): Promise<void> {
    if (messages.length === 0) return;
    const queue = (await this.queue(queueName)) as unknown as Queue<Record<string, unknown>>;
    await queue.addBulk(
      messages.map((m) => ({
        name: 'message',
        data: m.data,
        opts: {
          jobId: m.jobId,
          attempts: retry.attempts,
          backoff: { type: 'exponential', delay: retry.backoffMs },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }

  /** Removes a waiting message (a cancelled run); a message already taken by a worker stays. */
  async remove(queueName: string, runId: number): Promise<void> {
    const queue = await this.queue(queueName);
    await queue.remove(`run-${runId}`).catch(() => undefined);
  }

  async createWorker<T = RunMessage>(
    name: string,
    processor: Processor<T>,
    options: Partial<WorkerOptions>,
  ): Promise<Worker<T>> {
    await this.init();
    const { Worker, createPostgresBackend } = this.bullmq!;
    const worker =
      this.backend === 'redis'
        ? new Worker<T>(name, processor, {
            ...options,
            connection: this.redis!,
            prefix: this.config.queuePrefix,
          })
        : new Worker<T>(name, processor, { ...options, connection: this.pool! }, createPostgresBackend as never);
    worker.on('error', (error) => this.logger.warn(`Worker ${name}: ${error.message}`));
    this.workers.add(worker as Worker<unknown>);
    return worker;
  }

  /** Waiting + delayed + prioritized messages per queue (for metrics and health). */
  async depth(name: string): Promise<number> {
    const queue = await this.queue(name);
    const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  /** Throws when the queue backend cannot be reached. */
  async ping(): Promise<void> {
    await this.init();
    if (this.redis) await this.redis.ping();
    else await this.pool!.query('SELECT 1');
  }

  async queue(name: string): Promise<Queue<RunMessage>> {
    await this.init();
    let queue = this.queues.get(name);
    if (!queue) {
      const { Queue, createPostgresBackend } = this.bullmq!;
      queue =
        this.backend === 'redis'
          ? new Queue<RunMessage>(name, { connection: this.redis!, prefix: this.config.queuePrefix })
          : new Queue<RunMessage>(name, { connection: this.pool } as never, createPostgresBackend as never);
      queue.on('error', (error: Error) => this.logger.warn(`Queue ${name}: ${error.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Connects once; a failed attempt (backend down at start-up) is forgotten so the next call retries. */
  private init(): Promise<void> {
    this.ready ??= this.connect().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async connect(): Promise<void> {
    this.bullmq ??= require('bullmq') as typeof import('bullmq');
    if (this.config.redisUrl) {
      const { Redis } = require('ioredis') as typeof import('ioredis');
      this.redis = new Redis(this.config.redisUrl, {
        maxRetriesPerRequest: null,
        enableReadyCheck: true,
        lazyConnect: false,
      });
      this.redis.on('error', (error) => this.logger.warn(`Redis: ${error.message}`));
      return;
    }
    if (!this.pool) {
      this.pool = new Pool({
        connectionString: await this.database.url(),
        // BullMQ's statements are short (one per run, none held while a task runs): a few
        // connections serve many runs in flight without crowding PostgreSQL's max_connections.
        max: Math.min(Math.max(4, this.config.workerConcurrency + 4), BULLMQ_POOL_MAX),
        options: `-c search_path=${BULLMQ_SCHEMA}`,
        application_name: `jobs-service:${process.pid}:bullmq`,
      });
      this.pool.on('error', (error) => this.logger.warn(`BullMQ pool: ${error.message}`));
    }
    const client = await this.pool.connect();
    try {
      await this.bullmq.runMigrations(client, BULLMQ_SCHEMA);
    } finally {
      client.release();
    }
  }

  /** After the worker service drained its runs (onModuleDestroy), close what is left. */
  async onApplicationShutdown(): Promise<void> {
    // Redis down: nothing can be closed gracefully, and waiting for it would hang the shutdown.
    const redisDown = this.redis !== undefined && this.redis.status !== 'ready';
    if (redisDown) this.redis!.disconnect();
    await Promise.all([...this.workers].map((w) => w.close().catch(() => undefined)));
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    if (!redisDown) await this.redis?.quit().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
  }
}
