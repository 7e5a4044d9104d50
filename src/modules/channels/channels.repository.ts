import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { PageRequest } from '../../common/pagination';
import { NotificationChannel } from './notification-channel.entity';
import { NotificationDelivery, type DeliveryStatus } from './notification-delivery.entity';

/** A delivery to record: once per (channel, event, dedup key). */
export interface NewDelivery {
  channelId: number;
  event: string;
  dedupKey: string;
  jobId: number | null;
  runId: number | null;
  payload: Record<string, unknown>;
}

/** SQL for notification channels and their deliveries. */
@Injectable()
export class ChannelsRepository {
  constructor(
    @InjectRepository(NotificationChannel) private readonly channels: Repository<NotificationChannel>,
    @InjectRepository(NotificationDelivery) private readonly deliveries: Repository<NotificationDelivery>,
  ) {}

  findById(id: number, tx?: EntityManager): Promise<NotificationChannel | null> {
    return (tx ? tx.getRepository(NotificationChannel) : this.channels).findOneBy({ id });
  }

  findByIdForUpdate(id: number, tx: EntityManager): Promise<NotificationChannel | null> {
    return tx
      .getRepository(NotificationChannel)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id = :id', { id })
      .getOne();
  }

  findByName(name: string, tx: EntityManager): Promise<NotificationChannel | null> {
    return tx.getRepository(NotificationChannel).findOneBy({ name });
  }

  list(page: PageRequest): Promise<[NotificationChannel[], number]> {
    return this.channels.findAndCount({ order: { id: 'ASC' }, skip: (page.page - 1) * page.size, take: page.size });
  }

  /** Every channel (a small table): the alerting side reads them all at once. */
  all(): Promise<NotificationChannel[]> {
    return this.channels.find({ order: { id: 'ASC' } });
  }

  /** The ids of `ids` that are channels. */
  async existing(ids: readonly number[], tx?: EntityManager): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows: { id: number }[] = await (tx ?? this.channels.manager).query(
      'SELECT id FROM notification_channels WHERE id = ANY($1::int[])',
      [ids],
    );
    return rows.map((r) => r.id);
  }

  save(channel: NotificationChannel, tx: EntityManager): Promise<NotificationChannel> {
    return tx.getRepository(NotificationChannel).save(channel);
  }

  create(channel: Partial<NotificationChannel>, tx: EntityManager): Promise<NotificationChannel> {
    const repo = tx.getRepository(NotificationChannel);
    return repo.save(repo.create(channel));
  }

  async delete(id: number, tx: EntityManager): Promise<void> {
    await tx.getRepository(NotificationChannel).delete({ id });
  }

  /** Records deliveries; one already recorded for the same (channel, event, dedup key) is left as is. Returns the new ids. */
  async recordDeliveries(items: readonly NewDelivery[]): Promise<number[]> {
    if (items.length === 0) return [];
    const rows: { id: number }[] = await this.deliveries.query(
      `INSERT INTO notification_deliveries (channel_id, event, dedup_key, job_id, run_id, payload)
       SELECT * FROM unnest($1::int[], $2::varchar[], $3::varchar[], $4::int[], $5::int[], $6::jsonb[])
       ON CONFLICT (channel_id, event, dedup_key) DO NOTHING
       RETURNING id`,
      [
        items.map((d) => d.channelId),
        items.map((d) => d.event),
        items.map((d) => d.dedupKey),
        items.map((d) => d.jobId),
        items.map((d) => d.runId),
        items.map((d) => JSON.stringify(d.payload)),
      ],
    );
    return rows.map((r) => r.id);
  }

  findDelivery(id: number): Promise<NotificationDelivery | null> {
    return this.deliveries.findOneBy({ id });
  }

  /** One attempt's outcome: `final` ends the delivery (delivered, or failed for good). */
  async recordAttempt(
    id: number,
    outcome: { status: DeliveryStatus; responseStatus: number | null; error: string | null },
  ): Promise<void> {
    await this.deliveries.query(
      `UPDATE notification_deliveries SET attempts = attempts + 1, status = $2::varchar, response_status = $3, error = $4,
              finished_at = CASE WHEN $2::varchar = 'pending' THEN NULL ELSE now() END
        WHERE id = $1`,
      [id, outcome.status, outcome.responseStatus, outcome.error],
    );
  }

  listDeliveries(channelId: number, page: PageRequest): Promise<[NotificationDelivery[], number]> {
    return this.deliveries.findAndCount({
      where: { channelId },
      order: { id: 'DESC' },
      skip: (page.page - 1) * page.size,
      take: page.size,
    });
  }

  /** Deliveries still pending after `seconds` (their message lost in a crash): to enqueue again. */
  async stalePending(seconds: number, limit: number): Promise<number[]> {
    const rows: { id: number }[] = await this.deliveries.query(
      `SELECT id FROM notification_deliveries WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
        ORDER BY id LIMIT $2`,
      [seconds, limit],
    );
    return rows.map((r) => r.id);
  }
}
