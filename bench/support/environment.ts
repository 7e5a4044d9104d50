import { runMigrations } from 'bullmq';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrationsLocked } from '../../src/database/migrations-runner';
import { DEFAULT_JOBS } from '../../src/modules/jobs/default-jobs';
import { log, sleep } from './stats';
import { canConnect, freePort } from '../../src/common/net';
export { freePort };

export const BULLMQ_SCHEMA = 'bullmq';

/**
 * Where the benchmarks run: DATABASE_URL / REDIS_URL when set, else an embedded PostgreSQL
 * (the product's EmbeddedPostgres class, in a temp dir) and, for the BullMQ-on-Redis
 * reference only, a private redis-server when one is on PATH. Every benchmark round gets a
 * fresh database copied from a seeded template, so each A and B run sees identical data.
 */
export class BenchEnvironment {
  private redisChild: ChildProcess | undefined;

  private constructor(
    readonly serverUrl: string,
    readonly embeddedDir: string | undefined,
    readonly redisUrl: string | undefined,
    readonly redisSource: string,
  ) {}

  static async start(): Promise<BenchEnvironment> {
    let serverUrl = process.env.DATABASE_URL;
    let embeddedDir: string | undefined;
    if (!serverUrl) {
      embeddedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-bench-pg-'));
      fs.chmodSync(embeddedDir, 0o755);
      serverUrl = (await new EmbeddedPostgres(embeddedDir).acquire()).url;
    }
    const env = new BenchEnvironment(
      serverUrl,
      embeddedDir,
      process.env.REDIS_URL,
      process.env.REDIS_URL ? 'REDIS_URL' : 'none',
    );
    return env;
  }

  get backendDescription(): string {
    return this.embeddedDir
      ? 'embedded PostgreSQL (product EmbeddedPostgres), BullMQ on PostgreSQL'
      : 'external PostgreSQL (DATABASE_URL), BullMQ on PostgreSQL';
  }

  async serverVersion(): Promise<string> {
    return withClient(
      this.serverUrl,
      async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version,
    );
  }

  /** Redis for the BullMQ-on-Redis reference: REDIS_URL, else a private redis-server on a free port. */
  async redis(): Promise<string | undefined> {
    if (this.redisUrl) return this.redisUrl;
    if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
    const port = await freePort();
    this.redisChild = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 50 && !(await canConnect(port)); i++) await sleep(100);
    (this as { redisUrl?: string }).redisUrl = `redis://127.0.0.1:${port}`;
    (this as { redisSource: string }).redisSource = 'private redis-server';
    return this.redisUrl;
  }

  dbUrl(name: string): string {
    const url = new URL(this.serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async createDatabase(name: string, template?: string): Promise<string> {
    await this.dropDatabase(name);
    // FILE_COPY: a plain copy of the template's files, much faster than WAL_LOG for 100k+ rows.
    const from = template ? ` TEMPLATE "${template}" STRATEGY FILE_COPY` : '';
    await withClient(this.serverUrl, (c) => c.query(`CREATE DATABASE "${name}"${from}`));
    return this.dbUrl(name);
  }

  async dropDatabase(name: string): Promise<void> {
    await withClient(this.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }

  /** A database with the product's schema (TypeORM migrations + BullMQ's), default jobs marked as seeded. */
  async createSchemaDatabase(name: string): Promise<string> {
    const url = await this.createDatabase(name);
    const dataSource = await new DataSource(dataSourceOptions(url, 2)).initialize();
    try {
      await runMigrationsLocked(dataSource);
      // The product seeds its default jobs at start-up; mark them seeded so every round has only ours.
      await dataSource.query(`INSERT INTO default_job_seeds (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [
        DEFAULT_JOBS.map((j) => j.name),
      ]);
    } finally {
      await dataSource.destroy();
    }
    const client = new Client({ connectionString: url, options: `-c search_path=${BULLMQ_SCHEMA}` });
    await client.connect();
    try {
      await runMigrations(client, BULLMQ_SCHEMA);
    } finally {
      await client.end();
    }
    return url;
  }

  async stop(): Promise<void> {
    this.redisChild?.kill('SIGTERM');
    if (!this.embeddedDir) return;
    await new EmbeddedPostgres(this.embeddedDir).stop().catch((e: Error) => log(`embedded stop: ${e.message}`));
    fs.rmSync(this.embeddedDir, { recursive: true, force: true });
  }
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'jobs-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
