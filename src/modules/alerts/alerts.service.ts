import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Actor } from '../../common/actor';
import { createBatchLoader } from '../../common/batch-loader';
import type { AlertPayload } from '../channels/channel-sender';
import { ChannelsService, type NewDelivery } from '../channels/channels.service';
import { DELIVERY_EVENTS } from '../channels/delivery-events';
import type { NotificationChannel } from '../channels/notification-channel.entity';
import type { NotifyEvent } from '../channels/notification-delivery.entity';
import { ExecutionsService, type FinishedRun, type RunAlertFacts } from '../executions/executions.service';
import { QueueService } from '../executions/queue/queue.service';
import { RUN_EVENTS } from '../executions/run-events';
import { redactString } from '../../common/logging/redaction';
import type { OverdueJobDto } from '../jobs/dto/job-stats.dto';
import { JobsService } from '../jobs/jobs.service';

/** The queue deliveries go through (a name no task_queue can take: those are lowercase). */
export const DELIVERY_QUEUE = 'Notifications';
/** Tries per delivery, the first included; the waits between them double from DELIVERY_BACKOFF_MS. */
export const DELIVERY_ATTEMPTS = 5;
export const DELIVERY_BACKOFF_MS = 5_000;
/** How long this process trusts its copy of the channel list (changes made here drop it at once). */
const CHANNELS_TTL_MS = 5_000;

/**
 * Decides which alerts a run's outcome or an overdue job sends, records them as deliveries (once
 * per channel and occurrence, whichever process sees it) and queues them: the run's path only
 * emits the event, never waits on a channel. A job's channels are its `notify_channel_ids`, or
 * the default channels when it names none; its `notify_on` says which events.
 */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);
  private channelsCache: { at: number; channels: Promise<NotificationChannel[]> } | undefined;
  /** Outcomes reported at about the same time are looked at together: one query per batch. */
  private readonly finished = createBatchLoader<FinishedRun, void>(async (runs) => {
    await this.onFinished(runs).catch((error: Error) => this.logger.warn(`Alerts for finished runs: ${error.message}`));
    return runs.map(() => undefined);
  });

  constructor(
    private readonly channels: ChannelsService,
    private readonly executions: ExecutionsService,
    private readonly jobs: JobsService,
    private readonly queue: QueueService,
  ) {}

  @OnEvent(RUN_EVENTS.finished)
  runFinished(run: FinishedRun): void {
    if (alertable(run)) void this.finished.load(run);
  }

  /** Drops this process's copy of the channel list: a channel changed here. */
  @OnEvent(DELIVERY_EVENTS.channelsChanged)
  forgetChannels(): void {
    this.channelsCache = undefined;
  }

  /** Deletes a channel; the jobs that named it stop naming it, in the same transaction. */
  deleteChannel(id: number, actor: Actor): Promise<void> {
    return this.channels.delete(id, actor, (tx) => this.jobs.forgetChannel(tx, id));
  }

  /** job.overdue for these jobs (more than OVERDUE_GRACE_SECONDS late), once per fire time they missed. */
  async overdue(jobs: readonly OverdueJobDto[], now = new Date()): Promise<number> {
    const asking = jobs.filter((j) => j.notify_on.includes('job.overdue') && j.next_run_at);
    if (asking.length === 0) return 0;
    const channels = await this.channelList();
    const deliveries = asking.flatMap((job) =>
      this.deliveriesFor(channels, job.notify_channel_ids, 'job.overdue', `overdue:${job.next_run_at}`, {
        event: 'job.overdue',
        occurred_at: now.toISOString(),
        job: { id: job.id, name: job.name, job_type: job.job_type },
        run: null,
      }),
    );
    return this.queueDeliveries(deliveries);
  }

  /** Deliveries still pending long after they were recorded (their message lost in a crash): queued again. */
  async requeueStale(olderThanSeconds: number, limit: number): Promise<number> {
    const ids = await this.channels.stalePendingDeliveries(olderThanSeconds, limit);
    await this.enqueue(ids);
    return ids.length;
  }

  private async onFinished(runs: readonly FinishedRun[]): Promise<void> {
    const channels = await this.channelList();
    if (channels.length === 0) return;
    const facts = await this.executions.alertFacts(runs.map((r) => r.id));
    const deliveries = facts.flatMap((run) =>
      eventsOf(run).flatMap((event) =>
        this.deliveriesFor(channels, run.notifyChannelIds, event, `run:${run.id}`, payloadOf(event, run)),
      ),
    );
    await this.queueDeliveries(deliveries);
  }

  private deliveriesFor(
    channels: NotificationChannel[],
    named: number[],
    event: NotifyEvent,
    dedupKey: string,
    payload: AlertPayload,
  ): NewDelivery[] {
    const targets =
      named.length > 0 ? channels.filter((c) => named.includes(c.id)) : channels.filter((c) => c.isDefault);
    return targets.map((c) => ({
      channelId: c.id,
      event,
      dedupKey,
      jobId: payload.job?.id ?? null,
      runId: payload.run?.id ?? null,
      payload: { ...payload },
    }));
  }

  private async queueDeliveries(deliveries: NewDelivery[]): Promise<number> {
    const ids = await this.channels.recordDeliveries(deliveries);
    await this.enqueue(ids);
    return ids.length;
  }

  private async enqueue(ids: number[]): Promise<void> {
    try {
      await this.queue.addMessages(
        DELIVERY_QUEUE,
        ids.map((id) => ({ jobId: `delivery-${id}`, data: { deliveryId: id } })),
        { attempts: DELIVERY_ATTEMPTS, backoffMs: DELIVERY_BACKOFF_MS },
      );
    } catch (error) {
      // Recorded: the scheduler's sweep queues them again.
      this.logger.warn(`Queueing ${ids.length} deliveries failed (they will be retried): ${(error as Error).message}`);
    }
  }

  private channelList(): Promise<NotificationChannel[]> {
    if (!this.channelsCache || Date.now() - this.channelsCache.at > CHANNELS_TTL_MS) {
      const channels = this.channels.all();
      this.channelsCache = { at: Date.now(), channels };
      channels.catch(() => (this.channelsCache = undefined));
    }
    return this.channelsCache.channels;
  }
}

/** Outcomes that may alert: successes, and failures with no retry left. */
function alertable(run: FinishedRun): boolean {
  if (run.status === 'succeeded') return true;
  return (run.status === 'failed' || run.status === 'timed_out') && !run.retry;
}

function eventsOf(run: RunAlertFacts): NotifyEvent[] {
  const events: NotifyEvent[] = [];
  const wants = (e: NotifyEvent) => run.notifyOn.includes(e);
  if (run.status === 'failed' && wants('run.failed')) events.push('run.failed');
  if (run.status === 'timed_out' && wants('run.timed_out')) events.push('run.timed_out');
  if (run.status === 'succeeded' && wants('run.succeeded')) events.push('run.succeeded');
  if (
    run.status === 'succeeded' &&
    wants('job.recovered') &&
    (run.previousStatus === 'failed' || run.previousStatus === 'timed_out')
  )
    events.push('job.recovered');
  return events;
}

function payloadOf(event: NotifyEvent, run: RunAlertFacts): AlertPayload {
  return {
    event,
    occurred_at: (run.finishedAt ?? new Date()).toISOString(),
    job: { id: run.jobId, name: run.jobName, job_type: run.jobType },
    run: {
      id: run.id,
      status: run.status,
      scheduled_for: run.scheduledFor.toISOString(),
      started_at: run.startedAt?.toISOString() ?? null,
      finished_at: run.finishedAt?.toISOString() ?? null,
      duration_seconds: run.durationSeconds === null ? null : Math.round(Number(run.durationSeconds) * 1000) / 1000,
      attempt: run.attempt,
      error: run.error === null ? null : redactString(run.error),
    },
  };
}
