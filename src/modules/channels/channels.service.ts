import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor';
import { ValidationFailedError } from '../../common/errors';
import { toPage, type Page, type PageRequest } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { SecretsService } from '../secrets/secrets.service';
import { ChannelSender, type AlertPayload, type SendOutcome } from './channel-sender';
import { ChannelNameTakenError, ChannelNotFoundError, unknownChannels } from './channels.errors';
import { ChannelsRepository, type NewDelivery } from './channels.repository';
import { DELIVERY_EVENTS, type DeliveryAttemptedEvent } from './delivery-events';
import {
  ChannelResponseDto,
  DeliveryResponseDto,
  type CreateChannelDto,
  type UpdateChannelDto,
} from './dto/channel.dto';
import type { NotificationChannel } from './notification-channel.entity';
import { TEST_EVENT } from './notification-delivery.entity';

/** The associated data a channel secret is sealed with. */
const SECRET_PURPOSE = 'notification-channel-secret';

/**
 * Notification channels: CRUD (superuser, audited without the secret), the test message, the
 * deliveries (recorded once per occurrence, sent by whoever calls `deliver`: the alerts worker
 * through the queue, or `test` at once). Below jobs: a job's `notify_channel_ids` are checked
 * here.
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly channels: ChannelsRepository,
    private readonly secrets: SecretsService,
    private readonly audit: AuditService,
    private readonly sender: ChannelSender,
    private readonly events: EventEmitter2,
  ) {}

  async create(dto: CreateChannelDto, actor: Actor): Promise<ChannelResponseDto> {
    requireTarget(dto.type, dto.url, dto.email_to);
    const sealed = dto.secret ? await this.secrets.sealFor(SECRET_PURPOSE, dto.secret) : null;
    return this.unique(dto.name, () =>
      this.dataSource.transaction(async (tx) => {
        if (await this.channels.findByName(dto.name, tx)) throw new ChannelNameTakenError(dto.name);
        const channel = await this.channels.create(
          {
            name: dto.name,
            type: dto.type,
            url: dto.type === 'email' ? null : (dto.url ?? null),
            emailTo: dto.type === 'email' ? (dto.email_to ?? null) : null,
            isDefault: dto.is_default ?? false,
            secretCiphertext: sealed?.ciphertext ?? null,
            secretIv: sealed?.iv ?? null,
            secretAuthTag: sealed?.authTag ?? null,
            createdBy: actor.name.slice(0, 150),
          },
          tx,
        );
        const created = ChannelResponseDto.from(channel);
        await this.record(tx, actor, 'channel.create', channel.id, auditable(null, created));
        return created;
      }),
    ).then((created) => this.changed(created));
  }

  async list(page: PageRequest): Promise<Page<ChannelResponseDto>> {
    const [items, total] = await this.channels.list(page);
    return toPage(
      items.map((c) => ChannelResponseDto.from(c)),
      total,
      page,
    );
  }

  async get(id: number): Promise<ChannelResponseDto> {
    return ChannelResponseDto.from(await this.require(id));
  }

  async update(id: number, dto: UpdateChannelDto, actor: Actor): Promise<ChannelResponseDto> {
    const sealed = dto.secret ? await this.secrets.sealFor(SECRET_PURPOSE, dto.secret) : undefined;
    return this.unique(dto.name ?? '', () =>
      this.dataSource.transaction(async (tx) => {
        const channel = await this.channels.findByIdForUpdate(id, tx);
        if (!channel) throw new ChannelNotFoundError(id);
        const before = ChannelResponseDto.from(channel);
        if (dto.name !== undefined && dto.name !== channel.name && (await this.channels.findByName(dto.name, tx)))
          throw new ChannelNameTakenError(dto.name);
        if (dto.name !== undefined) channel.name = dto.name;
        if (dto.type !== undefined) channel.type = dto.type;
        if (dto.url !== undefined) channel.url = dto.url;
        if (dto.email_to !== undefined) channel.emailTo = dto.email_to;
        if (dto.is_default !== undefined) channel.isDefault = dto.is_default;
        requireTarget(channel.type, channel.url ?? undefined, channel.emailTo ?? undefined);
        if (channel.type === 'email') channel.url = null;
        else channel.emailTo = null;
        if (sealed)
          Object.assign(channel, {
            secretCiphertext: sealed.ciphertext,
            secretIv: sealed.iv,
            secretAuthTag: sealed.authTag,
          });
        if (dto.secret === null)
          Object.assign(channel, { secretCiphertext: null, secretIv: null, secretAuthTag: null });
        channel.updatedAt = new Date();
        const updated = ChannelResponseDto.from(await this.channels.save(channel, tx));
        const changes = auditable(before, updated);
        if (dto.secret !== undefined)
          changes.secret = { before: before.has_secret ? 'set' : null, after: dto.secret === null ? null : 'changed' };
        await this.record(tx, actor, 'channel.update', id, changes);
        return updated;
      }),
    ).then((updated) => this.changed(updated));
  }

  /** Deletes the channel and its deliveries; jobs that named it stop naming it (JobsService does that). */
  async delete(id: number, actor: Actor, inTransaction?: (tx: EntityManager) => Promise<void>): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const channel = await this.channels.findByIdForUpdate(id, tx);
      if (!channel) throw new ChannelNotFoundError(id);
      await inTransaction?.(tx);
      await this.channels.delete(id, tx);
      await this.record(tx, actor, 'channel.delete', id, auditable(ChannelResponseDto.from(channel), null));
    });
    this.changed(undefined);
  }

  /** Throws a 400 naming `field` when some of `ids` are not channels. */
  async requireChannels(ids: readonly number[], field = 'notify_channel_ids', tx?: EntityManager): Promise<void> {
    const found = new Set(await this.channels.existing(ids, tx));
    const missing = [...new Set(ids)].filter((id) => !found.has(id));
    if (missing.length > 0) throw unknownChannels(field, missing);
  }

  /** Every channel, for the alerting side (a small table). */
  all(): Promise<NotificationChannel[]> {
    return this.channels.all();
  }

  /** Sends the test message now, records it as a delivery, and answers with its outcome. */
  async test(id: number): Promise<DeliveryResponseDto> {
    const channel = await this.require(id);
    const payload: AlertPayload = {
      event: TEST_EVENT,
      occurred_at: new Date().toISOString(),
      job: null,
      run: null,
      message: `Test message from the jobs service to channel "${channel.name}"`,
    };
    const [deliveryId] = await this.channels.recordDeliveries([
      {
        channelId: id,
        event: TEST_EVENT,
        dedupKey: `test:${randomUUID()}`,
        jobId: null,
        runId: null,
        payload: { ...payload },
      },
    ]);
    await this.deliver(deliveryId, { final: true });
    return DeliveryResponseDto.from((await this.channels.findDelivery(deliveryId))!);
  }

  async deliveries(id: number, page: PageRequest): Promise<Page<DeliveryResponseDto>> {
    await this.require(id);
    const [items, total] = await this.channels.listDeliveries(id, page);
    return toPage(
      items.map((d) => DeliveryResponseDto.from(d)),
      total,
      page,
    );
  }

  recordDeliveries(items: readonly NewDelivery[]): Promise<number[]> {
    return this.channels.recordDeliveries(items);
  }

  stalePendingDeliveries(seconds: number, limit: number): Promise<number[]> {
    return this.channels.stalePending(seconds, limit);
  }

  /**
   * One attempt of a delivery: sends it and records the outcome. Not `final`: a failed attempt
   * stays pending (the caller retries); `final`: it is recorded failed. Null when the delivery
   * is gone (its channel deleted) or already ended.
   */
  async deliver(deliveryId: number, options: { final: boolean }): Promise<SendOutcome | null> {
    const delivery = await this.channels.findDelivery(deliveryId);
    if (!delivery || delivery.status !== 'pending') return null;
    const channel = await this.channels.findById(delivery.channelId);
    if (!channel) return null;
    const outcome = await this.sender.send(
      channel,
      delivery.payload as unknown as AlertPayload,
      await this.secretOf(channel),
    );
    const status = outcome.ok ? 'delivered' : options.final ? 'failed' : 'pending';
    await this.channels.recordAttempt(deliveryId, { status, responseStatus: outcome.statusCode, error: outcome.error });
    const attempted: DeliveryAttemptedEvent = {
      channelType: channel.type,
      outcome: status === 'pending' ? 'retrying' : status,
    };
    this.events.emit(DELIVERY_EVENTS.attempted, attempted);
    return outcome;
  }

  /** Says a channel changed (after its transaction committed); answers `value` unchanged. */
  private changed<T>(value: T): T {
    this.events.emit(DELIVERY_EVENTS.channelsChanged);
    return value;
  }

  private async secretOf(channel: NotificationChannel): Promise<string | null> {
    if (!channel.secretCiphertext || !channel.secretIv || !channel.secretAuthTag) return null;
    return this.secrets.openFor(SECRET_PURPOSE, {
      ciphertext: channel.secretCiphertext,
      iv: channel.secretIv,
      authTag: channel.secretAuthTag,
    });
  }

  private async require(id: number): Promise<NotificationChannel> {
    const channel = await this.channels.findById(id);
    if (!channel) throw new ChannelNotFoundError(id);
    return channel;
  }

  private async unique<T>(name: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // A concurrent create or rename to the same name loses on the unique index.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === '23505')
        throw new ChannelNameTakenError(name);
      throw error;
    }
  }

  private async record(
    tx: EntityManager,
    actor: Actor,
    action: string,
    id: number,
    changes: Record<string, { before: unknown; after: unknown }>,
  ): Promise<void> {
    await this.audit.record(tx, { actor, action, entityType: 'notification_channel', entityId: id, changes });
  }
}

/** webhook and slack need a url, email an email_to: a 400 naming the missing one. */
function requireTarget(type: string, url: string | undefined, emailTo: string | undefined): void {
  if (type === 'email' && !emailTo)
    throw ValidationFailedError.forField('email_to', 'an email channel needs recipients');
  if (type !== 'email' && !url) throw ValidationFailedError.forField('url', `a ${type} channel needs a URL`);
}

/** The answer's fields that changed (the secret is never among them: only has_secret). */
function auditable(
  before: ChannelResponseDto | null,
  after: ChannelResponseDto | null,
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const field of ['name', 'type', 'url', 'email_to', 'is_default', 'has_secret'] as const) {
    const b = before?.[field] ?? null;
    const a = after?.[field] ?? null;
    if (b !== a) changes[field] = { before: b, after: a };
  }
  return changes;
}

export type { NewDelivery };
