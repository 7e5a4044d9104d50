import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import { DatabaseServer } from './database-server';

export const CHANNEL_JOBS_CHANGED = 'jobs_changed';
export const CHANNEL_RUN_CANCELLED = 'run_cancelled';
export const CHANNEL_USERS_CHANGED = 'users_changed';
/**
 * The channels processes of the service listen on: a job changed (payload: its id), a run was
 * cancelled (its id), a user or its tokens changed (its id: deleted, demoted, deactivated, new
 * password, a token revoked).
 */
export type NotifyChannel = typeof CHANNEL_JOBS_CHANGED | typeof CHANNEL_RUN_CANCELLED | typeof CHANNEL_USERS_CHANGED;

/** Sends `payload` on `channel` when the transaction `tx` commits (never if it rolls back). */
export async function notifyOnCommit(tx: EntityManager, channel: NotifyChannel, payload: string): Promise<void> {
  await tx.query(`SELECT pg_notify($1, $2)`, [channel, payload]);
}

type Listener = (payload: string) => void;
/** Told when the LISTEN connection is lost (false) and when it is back (true): notifications may have been missed between. */
type ConnectionWatcher = (up: boolean) => void;

/**
 * PostgreSQL LISTEN/NOTIFY across every process on the database: wakes dispatchers when
 * jobs change and tells workers that a run was cancelled. One connection per process,
 * opened on first subscription and re-opened after a failure.
 */
@Injectable()
export class PgNotifier implements OnModuleDestroy {
  private readonly logger = new Logger(PgNotifier.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly watchers = new Set<ConnectionWatcher>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly database: DatabaseServer) {}

  async subscribe(channel: NotifyChannel, listener: Listener): Promise<void> {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    await this.connect();
    if (set.size === 1) await this.client?.query(`LISTEN ${channel}`);
  }

  watchConnection(watcher: ConnectionWatcher): void {
    this.watchers.add(watcher);
  }

  /** True while the LISTEN connection is up (reported by readiness checks). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  private connect(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new Client({
      connectionString: await this.database.url(),
      application_name: `jobs-service:${process.pid}:listen`,
    });
    client.on('notification', (msg) => this.listeners.get(msg.channel)?.forEach((l) => l(msg.payload ?? '')));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    await client.connect();
    for (const channel of this.listeners.keys()) await client.query(`LISTEN ${channel}`);
    this.client = client;
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.closed) return;
    this.watchers.forEach((w) => w(false));
    this.logger.warn(`LISTEN connection lost${error ? `: ${error.message}` : ''}; reconnecting`);
    this.reconnectSoon();
  }

  /** Every second until the connection is back (a failed try must not end the retries). */
  private reconnectSoon(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect()
        .then(() => {
          this.watchers.forEach((w) => w(true));
          this.listeners.get(CHANNEL_JOBS_CHANGED)?.forEach((l) => l('reconnected'));
        })
        .catch(() => this.reconnectSoon());
    }, 1000);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
