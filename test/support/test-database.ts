import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server tests run against: DATABASE_URL (CI, external mode) or the suite-wide embedded one. */
export function serverUrl(): string {
  const url = process.env.DATABASE_URL ?? process.env.JOBS_TEST_PG_URL;
  if (!url)
    throw new Error(
      'No test database: set DATABASE_URL or run through jest (globalSetup starts an embedded PostgreSQL)',
    );
  return url;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of its own for one suite; `drop()` removes it. */
export async function createTestDatabase(label = 'suite'): Promise<TestDatabase> {
  const name = `test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new URL(serverUrl());
  await withClient(admin.toString(), (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withClient(admin.toString(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Runs `work` again when PostgreSQL broke a deadlock by failing it (40P01). A test's bulk
 * statement over all jobs (DELETE, UPDATE) locks rows in scan order while the service's running
 * workers lock the same rows in id order for their statistics; PostgreSQL fails one side, and the
 * service retries its own. The test does the same.
 */
export async function retryingDeadlock<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt >= attempts) throw error;
    }
  }
}
