import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Job as QueueJob, Worker } from 'bullmq';
import { ChannelsService } from '../channels/channels.service';
import { QueueService } from '../executions/queue/queue.service';
import { DELIVERY_ATTEMPTS, DELIVERY_QUEUE } from './alerts.service';

/** Deliveries sent at once by one worker process. */
const DELIVERY_CONCURRENCY = 5;

interface DeliveryMessage {
  deliveryId: number;
}

/**
 * The worker role's part of alerting: sends queued deliveries, off every run's path. A failed
 * try is retried by BullMQ with exponential backoff (DELIVERY_ATTEMPTS in all); the last one
 * records the delivery failed. An unreachable channel costs only this queue's time.
 */
@Injectable()
export class DeliveryWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryWorkerService.name);
  private worker: Worker<DeliveryMessage> | undefined;

  constructor(
    private readonly queue: QueueService,
    private readonly channels: ChannelsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.worker = await this.queue.createWorker<DeliveryMessage>(DELIVERY_QUEUE, (job) => this.process(job), {
      concurrency: DELIVERY_CONCURRENCY,
    });
  }

  private async process(job: QueueJob<DeliveryMessage>): Promise<void> {
    const final = job.attemptsMade + 1 >= DELIVERY_ATTEMPTS;
    const outcome = await this.channels.deliver(job.data.deliveryId, { final });
    if (outcome && !outcome.ok) {
      if (final) this.logger.warn(`Delivery ${job.data.deliveryId} failed for good: ${outcome.error}`);
      else throw new Error(outcome.error ?? 'delivery failed');
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }
}
