import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { EmbeddedPostgres } from './embedded-postgres';
import { EmbeddedSupervisor, type SupervisionStatus } from './embedded-supervisor';

/** What a process may do with the embedded PostgreSQL (provided by DatabaseModule.forRoot). */
export const EMBEDDED_OPTIONS = Symbol('EMBEDDED_OPTIONS');
export interface EmbeddedOptions {
  /** Restart an embedded PostgreSQL this process started when it dies: the server, not the CLI. */
  supervise: boolean;
  /** Create a new, empty database when DATA_DIR holds none: the server, and the CLI only when asked. */
  mayCreate: boolean;
}

/**
 * DATA_DIR holds no database, and this process may not create one (the CLI pointed at the
 * wrong directory would otherwise show an empty new database instead of the server's).
 */
export class NoEmbeddedDatabaseError extends Error {
  constructor(readonly dataDir: string) {
    super(`No database in DATA_DIR (${dataDir})`);
  }
}

/** How long stopping the embedded PostgreSQL may take on shutdown (fast, then immediate, then SIGKILL). */
const STOP_TIMEOUT_MS = 10_000;

/** The instances of this process that started (or adopted) an embedded PostgreSQL. */
const owners = new Set<DatabaseServer>();

/**
 * A start that failed: stops the embedded PostgreSQL this process started, if any (the app
 * that would have done it on shutdown may not even exist). Says so through `log`.
 */
export async function stopEmbeddedStartedHere(log: (message: string) => void): Promise<void> {
  for (const owner of owners) {
    if (await owner.stopEmbedded()) log('Stopped the embedded PostgreSQL this process had started');
  }
}

/**
 * Where the database is: `DATABASE_URL`, or the embedded PostgreSQL under `DATA_DIR`
 * (started on demand, shared with other processes of ours, stopped on clean shutdown
 * only by the process that started it and only when nobody else still uses it). The server
 * process that owns the embedded PostgreSQL also restarts it when it dies (EmbeddedSupervisor);
 * processes that only attached to it (a CLI, a second server) never start a second copy.
 */
@Injectable()
export class DatabaseServer implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseServer.name);
  private embedded: EmbeddedPostgres | undefined;
  private resolved: Promise<string> | undefined;
  private startedHere = false;
  private supervisor: EmbeddedSupervisor | undefined;
  private stopping: Promise<boolean> | undefined;

  constructor(
    private readonly config: AppConfig,
    @Optional()
    @Inject(EMBEDDED_OPTIONS)
    private readonly options: EmbeddedOptions = { supervise: false, mayCreate: true },
  ) {}

  url(): Promise<string> {
    this.resolved ??= this.resolve();
    return this.resolved;
  }

  get isEmbedded(): boolean {
    return this.config.embedded;
  }

  /** The supervised embedded PostgreSQL's state, or undefined when this process supervises none. */
  supervision(): SupervisionStatus | undefined {
    return this.supervisor?.status();
  }

  private async resolve(): Promise<string> {
    if (this.config.databaseUrl) return this.config.databaseUrl;
    this.embedded = new EmbeddedPostgres(this.config.dataDir, (m) => this.logger.log(m));
    const handle = await this.embedded.acquire({ mayCreate: this.options.mayCreate });
    if (!handle) throw new NoEmbeddedDatabaseError(this.config.dataDir);
    // A server left behind by a killed process, with nobody connected, is ours to stop later.
    this.startedHere = handle.startedHere || !(await this.othersConnected(handle.url));
    if (!this.startedHere) this.logger.log('Using the embedded PostgreSQL another process of this service runs');
    else owners.add(this);
    if (this.startedHere && this.options.supervise) {
      this.supervisor = new EmbeddedSupervisor(
        this.embedded,
        handle.postmaster,
        { maxFailures: this.config.embeddedRestartAttempts },
        this.logger,
      );
    }
    return handle.url;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopEmbedded();
  }

  /**
   * Stops the embedded PostgreSQL if this process started it and nobody else uses it (also
   * when it is down or being restarted: a restart under way is abandoned). Bounded in time.
   */
  stopEmbedded(): Promise<boolean> {
    this.stopping ??= this.stopOwned();
    return this.stopping;
  }

  /** Resolves true when it stopped a running server. */
  private async stopOwned(): Promise<boolean> {
    this.supervisor?.stop();
    if (!this.embedded || !this.startedHere || !this.resolved) return false;
    if (await this.othersConnected(await this.resolved)) {
      this.logger.log('Leaving the embedded PostgreSQL running: other processes still use it');
      return false;
    }
    const stopped = await this.embedded.stop(STOP_TIMEOUT_MS);
    if (stopped) this.logger.log('Embedded PostgreSQL stopped');
    return stopped;
  }

  /** Whether other processes of this service (servers, CLI: application_name `jobs-service:<pid>…`) use the server. */
  private async othersConnected(url: string): Promise<boolean> {
    const client = new Client({
      connectionString: url,
      application_name: 'jobs-service:shutdown-check',
      connectionTimeoutMillis: 2000,
      query_timeout: 2000,
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
            AND application_name LIKE 'jobs-service:%' AND application_name <> 'jobs-service:shutdown-check'
            AND application_name <> $1 AND application_name NOT LIKE $1 || ':%'`,
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
