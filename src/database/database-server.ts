import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * Where the database is: `DATABASE_URL`, or the embedded PostgreSQL under `DATA_DIR`
 * (started on demand, shared with other processes of ours, stopped on clean shutdown
 * only by the process that started it and only when nobody else still uses it).
 */
@Injectable()
export class DatabaseServer implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseServer.name);
  private embedded: EmbeddedPostgres | undefined;
  private resolved: Promise<string> | undefined;
  private startedHere = false;

  constructor(private readonly config: AppConfig) {}

  url(): Promise<string> {
    this.resolved ??= this.resolve();
    return this.resolved;
  }

  get isEmbedded(): boolean {
    return this.config.embedded;
  }

  private async resolve(): Promise<string> {
    if (this.config.databaseUrl) return this.config.databaseUrl;
    this.embedded = new EmbeddedPostgres(this.config.dataDir, (m) => this.logger.log(m));
    const handle = await this.embedded.acquire();
    // A server left behind by a killed process, with nobody connected, is ours to stop later.
    this.startedHere = handle.startedHere || !(await this.othersConnected(handle.url));
    if (!this.startedHere) this.logger.log('Using the embedded PostgreSQL another process of this service runs');
    return handle.url;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded || !this.startedHere || !this.resolved) return;
    if (await this.othersConnected(await this.resolved)) {
      this.logger.log('Leaving the embedded PostgreSQL running: other processes still use it');
      return;
    }
    await this.embedded.stop();
    this.logger.log('Embedded PostgreSQL stopped');
  }

  private async othersConnected(url: string): Promise<boolean> {
    const client = new Client({ connectionString: url, application_name: 'jobs-service:shutdown-check' });
    try {
      await client.connect();
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
            AND application_name IS DISTINCT FROM $1`,
        [`jobs-service:${process.pid}`],
      );
      return Number(rows[0].n) > 0;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
